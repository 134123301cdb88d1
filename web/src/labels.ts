/*
 * The words the console uses for the API's enum values, in one place so the form, the lists and
 * the customer page say the same thing.
 */
import type { Option } from './components/fields.js';
import type { EntityType, PlanAction, RosterRun } from './types.js';

export const SYNC_TYPE_OPTIONS: readonly Option[] = [
  { value: 'api', label: 'Sync With API' },
  { value: 'sftp', label: 'SFTP' },
  { value: 'zip', label: 'ZIP Upload' },
];

export const MATCH_WITH_OPTIONS: readonly Option[] = [
  { value: 'sourcedId', label: 'Sourced ID' },
  { value: 'identifier', label: 'Identifier' },
  { value: 'username', label: 'Username' },
  { value: 'email', label: 'Email' },
];

export const FREQUENCY_OPTIONS: readonly Option[] = [
  { value: 'auto', label: 'Auto' },
  { value: 'manual', label: 'Manual' },
];

export const PERIOD_OPTIONS: readonly Option[] = [
  { value: 'hourly', label: 'Hourly' },
  { value: 'every6Hours', label: 'Every 6 hours' },
  { value: 'every12Hours', label: 'Every 12 hours' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
  { value: 'monthly', label: 'Monthly' },
];

export const AUTHORIZATION_OPTIONS: readonly Option[] = [
  { value: 'oauth1-hmac-sha256', label: 'OAuth 1.0a (HMAC-SHA256)' },
  { value: 'oauth1-hmac-sha1', label: 'OAuth 1.0a (HMAC-SHA1)' },
  { value: 'oauth2-client-credentials', label: 'OAuth 2 (client credentials)' },
];

export const ROSTERING_TYPE_OPTIONS: readonly Option[] = [
  { value: 'none', label: 'None' },
  { value: 'oneroster', label: 'OneRoster' },
];

export const ONEROSTER_VERSION_OPTIONS: readonly Option[] = [
  { value: '1.1', label: 'OneRoster 1.1' },
  { value: '1.2', label: 'OneRoster 1.2' },
];

export const LTI_VERSION_OPTIONS: readonly Option[] = [
  { value: '1.1', label: 'LTI 1.1' },
  { value: '1.3', label: 'LTI 1.3' },
  { value: 'both', label: 'LTI 1.1 and 1.3 (moving to 1.3)' },
];

export const ROLE_OPTIONS: readonly Option[] = [
  { value: 'customer_admin', label: 'Customer admin' },
  { value: 'institute_admin', label: 'Institute admin' },
  { value: 'teacher', label: 'Teacher' },
  { value: 'student', label: 'Student' },
  { value: 'reader', label: 'Reader' },
];

/** The label of `value` among `options`, or the value itself when unknown. */
export function labelOf(options: readonly Option[], value: string | null | undefined): string {
  if (!value) return '—';
  return options.find((o) => o.value === value)?.label ?? value;
}

const SOURCES: Record<string, string> = { manual: 'Added by admin', roster: 'OneRoster', lti: 'LTI launch', bootstrap: 'Set-up' };

/** Where a user record came from, as people say it. */
export function sourceLabel(source: string): string {
  return SOURCES[source] ?? source;
}

/** A role as people say it. */
export function roleLabel(role: string): string {
  if (role === 'enterprise_admin') return 'Enterprise admin';
  return labelOf(ROLE_OPTIONS, role);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** An ISO instant in the viewer's locale and time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

/** An ISO instant as a date in the viewer's locale. */
export function formatDate(iso: string | null | undefined): string {
  return iso ? dateOnly.format(new Date(iso)) : '—';
}

/** A calendar day (`2024-08-01`, as rosters write begin and end dates) without shifting it by time zone. */
export function formatDay(day: string | null | undefined): string {
  if (!day) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? dateOnly.format(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : formatDate(day);
}

/** An ISO instant on the clock of `timeZone` (a customer's), with the zone named. */
export function formatInZone(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  try {
    // dateStyle cannot be combined with timeZoneName, so spell the parts out.
    return new Intl.DateTimeFormat(undefined, { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso));
  } catch {
    return formatDateTime(iso);
  }
}

/** The rostering column of the customer list: "SFTP · Auto (Weekly)", "ZIP Upload · Manual". */
export function rosteringSummary(r: { type: string; syncType: string | null; syncFrequency: string | null; period: string | null }): string {
  if (r.type !== 'oneroster') return 'None';
  const how = labelOf(SYNC_TYPE_OPTIONS, r.syncType);
  const when = r.syncFrequency === 'auto' ? `Auto (${labelOf(PERIOD_OPTIONS, r.period)})` : 'Manual';
  return `${how} · ${when}`;
}

/** The record types of a roster run, in report order, as people say them. */
export const ENTITY_OPTIONS: readonly { value: EntityType; label: string }[] = [
  { value: 'orgs', label: 'Schools and districts' },
  { value: 'academicSessions', label: 'Academic sessions' },
  { value: 'courses', label: 'Courses' },
  { value: 'classes', label: 'Classes' },
  { value: 'users', label: 'Users' },
  { value: 'enrollments', label: 'Enrollments' },
];

/** Plan actions in the order a reviewer reads them: what is lost first. */
export const ACTION_OPTIONS: readonly { value: PlanAction; label: string; past: string; count: 'deleted' | 'restored' | 'created' | 'updated' }[] = [
  { value: 'delete', label: 'Deletes', past: 'Deleted', count: 'deleted' },
  { value: 'restore', label: 'Restores', past: 'Restored', count: 'restored' },
  { value: 'create', label: 'Creates', past: 'Created', count: 'created' },
  { value: 'update', label: 'Updates', past: 'Updated', count: 'updated' },
];

const RUN_STATUS: Record<RosterRun['status'], string> = {
  queued: 'Waiting',
  running: 'Running',
  succeeded: 'Succeeded',
  succeeded_with_warnings: 'Succeeded with warnings',
  failed: 'Failed',
  awaiting_approval: 'Awaiting approval',
  discarded: 'Discarded',
};

/** A run status as people say it; a finished preview says so. */
export function runStatusLabel(run: Pick<RosterRun, 'status' | 'dryRun'>): string {
  const label = RUN_STATUS[run.status] ?? run.status;
  return run.dryRun && (run.status === 'succeeded' || run.status === 'succeeded_with_warnings') ? `Preview ready${run.status === 'succeeded_with_warnings' ? ' (warnings)' : ''}` : label;
}

/** The stages of a run, in order, as people understand them. */
export const RUN_STAGES: readonly { value: string; label: string }[] = [
  { value: 'queued', label: 'Waiting' },
  { value: 'reading', label: 'Reading' },
  { value: 'planning', label: 'Planning' },
  { value: 'applying', label: 'Applying' },
  { value: 'done', label: 'Done' },
];

/** A run's stage as people say it; reading names what is read (the file, the SFTP file, the API, the LMS). */
export function stageLabel(run: Pick<RosterRun, 'stage' | 'trigger'>): string {
  if (run.stage === 'reading') return sourceWords(run.trigger).reading;
  return RUN_STAGES.find((s) => s.value === run.stage)?.label ?? run.stage;
}

const TRIGGERS: Record<string, string> = { upload: 'Upload', cli: 'Command line', sftp: 'SFTP', api: 'OneRoster API', schedule: 'Schedule', lms: 'Sync from LMS' };

/** How a run was started, as people say it. */
export function triggerLabel(trigger: string): string {
  return TRIGGERS[trigger] ?? trigger;
}

/** Who or what started a run, in a phrase: "Uploaded by ada@…", "Schedule · system". */
export function startedBy(run: Pick<RosterRun, 'trigger' | 'actor'>): string {
  if (run.trigger === 'upload') return run.actor ? `Uploaded by ${run.actor}` : 'Uploaded';
  return [triggerLabel(run.trigger), run.actor].filter(Boolean).join(' · ');
}

/** True while a run is still working (worth polling). */
export function isActiveRun(run: Pick<RosterRun, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running';
}

const number = new Intl.NumberFormat();

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return number.format(n);
}

/** "1 warning", "3 warnings": a count with its noun, singular or plural. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : nouns}`;
}

/** A byte size as people read it: 812 B, 14.2 KB, 3.1 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** A duration between two instants: "0.8 s", "2 min 5 s". */
export function formatDuration(from: string | null, to: string | null): string {
  if (!from || !to) return '—';
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (ms < 0) return '—';
  if (ms < 100) return 'under 0.1 s';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** The words a run's report uses for where its rows came from, which differ by source. */
export interface SourceWords {
  /** The facts row naming the source: "File", "SFTP file", "OneRoster API", "LMS course". */
  label: string;
  /** What the first stage reads: "Reading the file", "Reading the OneRoster API"… */
  reading: string;
  /** The run in a phrase: "this upload", "this SFTP pull", "this API pull", "this LMS sync". */
  thisRun: string;
  /** What its rows were read from: "the file", "the SFTP file", "the API's answers", "the LMS class list". */
  rowsFrom: string;
  /** Whether a person can send a corrected file (uploads) or runs the pull again (the others). */
  isUpload: boolean;
}

const SOURCE_WORDS: Record<'upload' | 'sftp' | 'api' | 'lms', SourceWords> = {
  upload: { label: 'File', reading: 'Reading the file', thisRun: 'this upload', rowsFrom: 'the file', isUpload: true },
  sftp: { label: 'SFTP file', reading: 'Reading the SFTP file', thisRun: 'this SFTP pull', rowsFrom: 'the SFTP file', isUpload: false },
  api: { label: 'OneRoster API', reading: 'Reading the OneRoster API', thisRun: 'this API pull', rowsFrom: 'the API’s answers', isUpload: false },
  lms: { label: 'LMS course', reading: 'Reading the LMS class list', thisRun: 'this LMS sync', rowsFrom: 'the LMS class list', isUpload: false },
};

/** The words for a run's source, from how it was started (an upload or `lectern roster import` is a file). */
export function sourceWords(trigger: string): SourceWords {
  return trigger === 'sftp' || trigger === 'api' || trigger === 'lms' ? SOURCE_WORDS[trigger] : SOURCE_WORDS.upload;
}
