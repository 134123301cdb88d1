import { AppError } from '../../errors.js';
import type { readBundle, ReaderLimits } from '../oneroster/reader.js';
import type { AcceptedRecord, RosterRecord } from '../oneroster/records.js';
import type { EntityFile } from '../oneroster/spec.js';
import type { AnyRow } from '../sync/engine.js';
import { ENTITY_TYPES, blankUserFields, type EntityType, type RowBase, type UserRoleRow, type UserRow } from '../sync/snapshot.js';
import type { BundleStore } from './bundle-store.js';
import type { RunSource } from './run-source.js';
import { SealedBundleError, type SealedReader } from './sealed-bundle.js';

/**
 * A run source over a bundle kept in the store (uploads, SFTP downloads, CLI imports): the sealed
 * file is decrypted chunk by chunk as the zip reader asks for it. A file that fails its integrity
 * check fails the run (BUNDLE_DAMAGED) and one that is gone says so (BUNDLE_NOT_KEPT).
 */
export function storedBundleSource(store: BundleStore, file: string, limits?: Partial<ReaderLimits>): RunSource {
  return {
    async read(handlers) {
      let reader: SealedReader;
      try {
        reader = await store.open(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new AppError('BUNDLE_NOT_KEPT', 'The file of this run is no longer kept (a file is deleted once no run needs it); upload it again.');
        }
        throw err instanceof SealedBundleError ? damaged(err) : err;
      }
      try {
        const report = await zipSource({ reader, size: reader.size }, limits).read(handlers);
        // The reader turns a read error into an issue; a damaged file is the run's failure, not the bundle's.
        if (reader.failure) throw damaged(reader.failure);
        return report;
      } finally {
        await new Promise((resolve) => reader.close(resolve));
      }
    },
  };
}

function damaged(err: SealedBundleError): AppError {
  return new AppError(
    'BUNDLE_DAMAGED',
    `The kept copy of this roster file cannot be read (${err.message}): it was altered or damaged on disk, or sealed with another data key. Nothing was applied; upload it again.`,
  );
}

/** A run source over a plain OneRoster zip (a path, or a zip behind a random-access reader). */
export function zipSource(path: Parameters<typeof readBundle>[0], limits?: Partial<ReaderLimits>): RunSource {
  return {
    async read({ add, onIssue, onProgress }) {
      // The reader loads when a bundle is read: a re-sent file (same SHA-256) never is.
      const { readBundle } = await import('../oneroster/reader.js');
      const report = await readBundle(path, {
        limits,
        onRecords: async (batch) => {
          for (const record of batch) {
            const row = toRow(record);
            const writing = row && add(row);
            if (writing) await writing;
          }
        },
        onIssue: (issue) => onIssue(issue),
        onProgress: (p) => onProgress(p.bytes, p.totalBytes),
      });
      return {
        version: report.version,
        unusable: report.unusable,
        files: report.files.map((f) => ({ name: f.name, entity: entityOf(f.name), mode: f.mode, rows: f.rows, errorRows: f.rejected })),
        issueCounts: { error: report.errors, warning: report.warnings, info: report.infos },
      };
    },
  };
}

function entityOf(fileName: string): EntityType | null {
  const base = fileName.replace(/\.csv$/, '');
  return (ENTITY_TYPES as readonly string[]).includes(base) ? (base as EntityType) : null;
}

const join = (ids: { type: string; id: string }[]) => ids.map((u) => `{${u.type}:${u.id}}`);

/** The engine's row for a reader record; null for files the engine does not keep (demographics, profiles). */
export function toRow(record: RosterRecord): AnyRow | null {
  if (!record.ok) return errorRow(record.file, record.sourcedId, record.line);
  const base: RowBase = { sourcedId: record.sourcedId, line: record.line, status: record.status, metadata: record.metadata };
  return acceptedRow(record as AcceptedRecordAny, base);
}

// Each accepted table, narrowed by its name so its values are typed.
type AcceptedRecordAny = { [T in AcceptedRecord['table']]: AcceptedRecord<T> }[AcceptedRecord['table']];

function acceptedRow(r: AcceptedRecordAny, base: RowBase): AnyRow | null {
  switch (r.table) {
    case 'orgs': {
      const v = r.values;
      return { entity: 'orgs', row: { ...base, name: v.name, type: v.type, identifier: v.identifier, parentSourcedId: v.parentSourcedId } };
    }
    case 'academicSessions': {
      const v = r.values;
      return {
        entity: 'academicSessions',
        row: { ...base, title: v.title, type: v.type, startDate: v.startDate, endDate: v.endDate, parentSourcedId: v.parentSourcedId, schoolYear: v.schoolYear },
      };
    }
    case 'courses': {
      const v = r.values;
      return {
        entity: 'courses',
        row: { ...base, title: v.title, courseCode: v.courseCode, grades: v.grades, orgSourcedId: v.orgSourcedId, schoolYearSourcedId: v.schoolYearSourcedId, subjects: v.subjects },
      };
    }
    case 'classes': {
      const v = r.values;
      return {
        entity: 'classes',
        row: {
          ...base,
          title: v.title,
          classCode: v.classCode,
          classType: v.classType,
          schoolSourcedId: v.schoolSourcedId,
          courseSourcedId: v.courseSourcedId,
          grades: v.grades,
          location: v.location,
          termSourcedIds: v.termSourcedIds,
          subjects: v.subjects,
          periods: v.periods,
        },
      };
    }
    case 'users@1.1': {
      const v = r.values;
      // 1.1: one role, held at each of the user's orgs; the first org is the primary one.
      const roles = v.orgSourcedIds.map((org, i): UserRoleRow => ({ orgSourcedId: org, role: v.role, roleType: i === 0 ? 'primary' : 'secondary', beginDate: null, endDate: null }));
      return { entity: 'users', row: userRow(base, v, v.role, v.orgSourcedIds, roles) };
    }
    case 'users@1.2':
    case 'users@1.2.0': {
      const v = r.values;
      return { entity: 'users', row: userRow(base, v, '', v.primaryOrgSourcedId ? [v.primaryOrgSourcedId] : [], []) };
    }
    case 'roles': {
      const v = r.values;
      return {
        entity: 'roles',
        row: {
          sourcedId: base.sourcedId,
          line: base.line,
          userSourcedId: v.userSourcedId,
          orgSourcedId: v.orgSourcedId,
          role: v.role,
          roleType: v.roleType,
          beginDate: v.beginDate,
          endDate: v.endDate,
        },
      };
    }
    case 'enrollments': {
      const v = r.values;
      return {
        entity: 'enrollments',
        row: {
          sourcedId: base.sourcedId,
          line: base.line,
          status: base.status,
          metadata: base.metadata,
          classSourcedId: v.classSourcedId,
          userSourcedId: v.userSourcedId,
          schoolSourcedId: v.schoolSourcedId,
          role: v.role,
          primary: v.primary ?? false,
          beginDate: v.beginDate,
          endDate: v.endDate,
        },
      };
    }
    default:
      return null;
  }
}

// One literal, not a spread of a shared part: a million users are built here, and spreads were
// most of the cost of turning a record into a row.
function userRow(
  base: RowBase,
  v: {
    enabledUser: boolean;
    username: string;
    userIds: { type: string; id: string }[];
    givenName: string;
    familyName: string;
    middleName: string;
    identifier: string;
    email: string;
    sms: string;
    phone: string;
    agentSourcedIds: string[];
    grades: string[];
    password: string;
  },
  role: string,
  orgSourcedIds: string[],
  roles: UserRow['roles'],
): UserRow {
  return {
    sourcedId: base.sourcedId,
    line: base.line,
    status: base.status,
    metadata: base.metadata,
    username: v.username,
    identifier: v.identifier,
    email: v.email,
    givenName: v.givenName,
    familyName: v.familyName,
    middleName: v.middleName,
    enabledUser: v.enabledUser,
    grades: v.grades,
    userIds: join(v.userIds),
    agentSourcedIds: v.agentSourcedIds,
    phone: v.phone,
    sms: v.sms,
    password: v.password || null,
    role,
    orgSourcedIds,
    roles,
  };
}

// A row with errors still says "this sourcedId is present": it keeps a bulk sync from deleting it.
function errorRow(file: EntityFile, sourcedId: string, line: number): AnyRow | null {
  const base: RowBase = { sourcedId, line, status: 'error', metadata: {} };
  const blankUser = {
    ...base,
    username: '',
    identifier: '',
    email: '',
    givenName: '',
    familyName: '',
    role: 'reader',
    enabledUser: false,
    ...blankUserFields(),
  };
  switch (file) {
    case 'orgs':
      return { entity: 'orgs', row: { ...base, name: '', type: '', identifier: '', parentSourcedId: null } };
    case 'academicSessions':
      return { entity: 'academicSessions', row: { ...base, title: '', type: '', startDate: '', endDate: '', parentSourcedId: null, schoolYear: '' } };
    case 'courses':
      return { entity: 'courses', row: { ...base, title: '', courseCode: '', grades: [], orgSourcedId: '', schoolYearSourcedId: null, subjects: [] } };
    case 'classes':
      return {
        entity: 'classes',
        row: { ...base, title: '', classCode: '', classType: '', schoolSourcedId: '', courseSourcedId: '', grades: [], location: '', termSourcedIds: [], subjects: [], periods: [] },
      };
    case 'users':
      return { entity: 'users', row: blankUser };
    case 'enrollments':
      return { entity: 'enrollments', row: { ...base, classSourcedId: '', userSourcedId: '', schoolSourcedId: '', role: '', primary: false, beginDate: null, endDate: null } };
    default:
      return null;
  }
}
