import { sql, type Kysely, type Selectable } from 'kysely';
import { ENTITY_TABLES } from '../sync/entities.js';
import type { Database, RosterRun, RosterRunChangesTable, RosterRunIssuesTable } from '../../db/schema.js';

/** One finding of a run, as DESIGN.md's Issue. */
export interface RunIssue {
  file: string | null;
  line: number | null;
  column: string | null;
  sourcedId: string | null;
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
}

/** One planned or applied change of a run (a create's target is known once it is applied). */
export type Change = Omit<Selectable<RosterRunChangesTable>, 'run_id'>;

/** Fields of a run that its service sets as it goes. */
export type RunPatch = Partial<Omit<RosterRun, 'id' | 'customer_id'>>;

/** Filters for a run's issue list. */
export interface IssueQuery {
  severity?: RunIssue['severity'];
  code?: string;
  limit: number;
  offset: number;
}

/** Run records, their issues and their plan rows; every read names the customer. */
export class RunRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a new run. */
  async insert(run: RosterRun): Promise<void> {
    await this.db.insertInto('roster_runs').values(run).execute();
  }

  /** A run of one customer. */
  find(customerId: string, id: string): Promise<RosterRun | undefined> {
    return this.db.selectFrom('roster_runs').selectAll().where('customer_id', '=', customerId).where('id', '=', id).executeTakeFirst();
  }

  /**
   * The customer a run belongs to, across customers: only for the engine, which holds a run id it
   * created itself (never one from a request: requests go through policy.requireAccess).
   */
  async customerOfRunPlatformWide(id: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('roster_runs').select('customer_id').where('id', '=', id).executeTakeFirst();
    return row?.customer_id;
  }

  /** Updates a run unconditionally: for what no other actor races for (progress, the file); a status goes through `transition`. */
  async update(id: string, patch: RunPatch): Promise<void> {
    await this.db.updateTable('roster_runs').set(patch).where('id', '=', id).execute();
  }

  /**
   * Updates a run only while its status is one of `from` (a compare-and-set); true when it did.
   * Every change of a run's status goes through here, first in the transaction that acts on the
   * run: of two actors racing for one run, one wins and the other sees false (on PostgreSQL it
   * waits for the row, then finds the winner's status).
   */
  async transition(id: string, from: RosterRun['status'] | RosterRun['status'][], patch: RunPatch): Promise<boolean> {
    const r = await this.db.updateTable('roster_runs').set(patch).where('id', '=', id).where('status', 'in', [from].flat()).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Ends a run left `running` whose lease is gone or expired (re-checked here, atomically); true when it did. */
  async failAbandoned(id: string, now: string, patch: RunPatch): Promise<boolean> {
    const r = await this.db
      .updateTable('roster_runs')
      .set(patch)
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('roster_run_leases').select('run_id').where('run_id', '=', id).where('expires_at', '>', now))))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /**
   * A finished preview hands its kept file to the run that applies it (compare-and-set on the
   * file): true for the one caller that got it, so a preview is applied by one run, however many
   * people press Apply at once.
   */
  async takePreviewBundle(previewId: string, bundlePath: string): Promise<boolean> {
    const r = await this.db
      .updateTable('roster_runs')
      .set({ bundle_path: null })
      .where('id', '=', previewId)
      .where('dry_run', '=', 1)
      .where('status', 'in', ['succeeded', 'succeeded_with_warnings'])
      .where('bundle_path', '=', bundlePath)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** A customer's runs, newest first. */
  async list(customerId: string, limit: number, offset: number): Promise<{ items: RosterRun[]; total: number }> {
    const base = this.db.selectFrom('roster_runs').where('customer_id', '=', customerId);
    const [items, total] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(total.n) };
  }

  /** The run whose bundle the roster reflects now: the last one applied, from any source (not `exceptRunId`). */
  lastApplied(customerId: string, exceptRunId: string): Promise<RosterRun | undefined> {
    return this.db
      .selectFrom('roster_runs')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('id', '!=', exceptRunId)
      .where('dry_run', '=', 0)
      .where('status', 'in', ['succeeded', 'succeeded_with_warnings'])
      .orderBy('finished_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** A customer's runs still `queued` that `actorLabel` recorded by `before`, oldest first. */
  listQueuedBy(customerId: string, actorLabel: string, before: string): Promise<RosterRun[]> {
    return this.db
      .selectFrom('roster_runs')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('status', '=', 'queued')
      .where('actor_label', '=', actorLabel)
      .where('created_at', '<=', before)
      .orderBy('created_at')
      .execute();
  }

  /**
   * Runs left `running` by a process that stopped: their lease is gone or expired (a live run renews
   * it), so a run still working in another process is never taken for dead.
   */
  listAbandonedPlatformWide(now: string): Promise<RosterRun[]> {
    return this.db
      .selectFrom('roster_runs as r')
      .selectAll('r')
      .where('r.status', '=', 'running')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('roster_run_leases as l').select('l.run_id').whereRef('l.run_id', '=', 'r.id').where('l.expires_at', '>', now))))
      .execute();
  }

  /** Appends issues to a run, numbering them after `startSeq`. */
  async insertIssues(runId: string, startSeq: number, issues: RunIssue[]): Promise<void> {
    for (let i = 0; i < issues.length; i += 1000) {
      const batch = issues.slice(i, i + 1000).map((x, j) => ({
        run_id: runId,
        seq: startSeq + i + j,
        file: x.file ?? '',
        line: x.line,
        col: x.column,
        sourced_id: x.sourcedId,
        severity: x.severity,
        code: x.code,
        message: x.message,
      }));
      if (batch.length) await this.db.insertInto('roster_run_issues').values(batch).execute();
    }
  }

  /** A page of the issues of one of the customer's runs, in file order. */
  async listIssues(customerId: string, runId: string, q: IssueQuery): Promise<{ items: RunIssue[]; total: number }> {
    let base = this.db
      .selectFrom('roster_run_issues')
      .where('run_id', '=', runId)
      .where((eb) => eb.exists(eb.selectFrom('roster_runs').select('id').where('id', '=', runId).where('customer_id', '=', customerId)));
    if (q.severity) base = base.where('severity', '=', q.severity);
    if (q.code) base = base.where('code', '=', q.code);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('seq').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map(issueOf),
      total: Number(total.n),
    };
  }

  /**
   * A page of a run's issues grouped by file, code and severity, in the order each group first
   * occurs: the group's size and its first `sample` issues (a window per group, both dialects).
   */
  async listIssueGroups(customerId: string, runId: string, q: IssueQuery, sample: number): Promise<{ groups: { count: number; issues: RunIssue[] }[]; total: number }> {
    const where = sql`run_id = ${runId} and exists (select 1 from roster_runs r where r.id = ${runId} and r.customer_id = ${customerId})${q.severity ? sql` and severity = ${q.severity}` : sql``}${q.code ? sql` and code = ${q.code}` : sql``}`;
    const grouped = sql`select file, code, severity, count(*) as n, min(seq) as first_seq from roster_run_issues where ${where} group by file, code, severity`;
    const [page, total] = await Promise.all([
      sql<{ file: string; code: string; severity: string; n: number | string; first_seq: number }>`${grouped} order by first_seq limit ${q.limit} offset ${q.offset}`.execute(this.db),
      sql<{ n: number | string }>`select count(*) as n from (${grouped}) g`.execute(this.db),
    ]);
    if (!page.rows.length) return { groups: [], total: Number(total.rows[0]?.n ?? 0) };
    const codes = [...new Set(page.rows.map((g) => g.code))];
    const samples = await sql<RosterRunIssuesTable & { rn: number }>`select * from (
        select i.*, row_number() over (partition by file, code, severity order by seq) as rn from roster_run_issues i
        where ${where} and code in (${sql.join(codes)})) x where rn <= ${sample} order by seq`.execute(this.db);
    const key = (r: { file: string; code: string; severity: string }) => `${r.file}\u0000${r.code}\u0000${r.severity}`;
    const byGroup = new Map<string, RunIssue[]>();
    for (const r of samples.rows) {
      const list = byGroup.get(key(r)) ?? [];
      list.push(issueOf(r));
      byGroup.set(key(r), list);
    }
    return { groups: page.rows.map((g) => ({ count: Number(g.n), issues: byGroup.get(key(g)) ?? [] })), total: Number(total.rows[0]?.n ?? 0) };
  }

  /** Every issue of one of the customer's runs, streamed in pages (for the CSV download). */
  async *streamIssues(customerId: string, runId: string): AsyncGenerator<RunIssue> {
    for (let offset = 0; ; offset += 2000) {
      const page = await this.listIssues(customerId, runId, { limit: 2000, offset });
      yield* page.items;
      if (page.items.length < 2000) return;
    }
  }

  /**
   * Every planned or applied change of the run that the filter keeps, unordered (the service orders
   * them as people count). Creates of a pending or applied run are not rows of roster_run_changes
   * (see the planner's recordChanges).
   */
  async listChanges(customerId: string, runId: string, q: { entity?: string; action?: string }): Promise<Change[]> {
    const run = await this.find(customerId, runId);
    if (!run) return [];
    // Where the creates are: the live records once applied, the stage while the plan is pending
    // (held or still running); an ended preview or discarded hold copied them (endUnapplied).
    const applied = run.dry_run === 0 && (run.status === 'succeeded' || run.status === 'succeeded_with_warnings');
    const pending = run.status === 'awaiting_approval' || run.status === 'running' || run.status === 'queued';
    const text = (value: string) => sql`cast(${value} as text)`;
    const parts = [
      sql`select entity, action, sourced_id, target_id, fields, reason, name from roster_run_changes
        where run_id = ${runId}${q.entity ? sql` and entity = ${q.entity}` : sql``}${q.action ? sql` and action = ${q.action}` : sql``}`,
    ];
    if ((applied || pending) && (!q.action || q.action === 'create')) {
      for (const t of ENTITY_TABLES) {
        if (q.entity && q.entity !== t.entity) continue;
        parts.push(
          applied
            ? sql`select ${text(t.entity)}, ${text('create')}, sourced_id, id, ${text('{}')}, ${text('')}, ${text('')} from ${sql.table(t.live)} where customer_id = ${customerId} and created_run_id = ${runId}`
            : sql`select ${text(t.entity)}, ${text('create')}, sourced_id, target_id, ${text('{}')}, ${text('')}, ${text('')} from ${sql.table(t.stage)} where run_id = ${runId} and target_id is null and action = 'create'`,
        );
      }
    }
    return (await sql<Change>`${sql.join(parts, sql` union all `)}`.execute(this.db)).rows;
  }

  /**
   * Names of a run's records of one type, by sourcedId: people by their names, enrollments as
   * "person in class", the rest by title or name. From the live records, else (a create still
   * pending) from the run's stage.
   */
  async recordNames(customerId: string, runId: string, entity: string, sourcedIds: string[]): Promise<Map<string, string>> {
    const t = ENTITY_TABLES.find((e) => e.entity === entity);
    if (!t || !sourcedIds.length) return new Map();
    const person = (alias: string) => sql`trim(${sql.ref(`${alias}.given_name`)} || ' ' || ${sql.ref(`${alias}.family_name`)})`;
    const named = (table: string, scope: ReturnType<typeof sql>) => {
      const from = sql`${sql.table(table)} r`;
      if (entity === 'users') return sql`select r.sourced_id, ${person('r')} as name from ${from} where ${scope}`;
      if (entity === 'orgs') return sql`select r.sourced_id, r.name as name from ${from} where ${scope}`;
      if (entity === 'enrollments') {
        return sql`select r.sourced_id, trim(coalesce(${person('u')}, r.user_sourced_id) || ' in ' || coalesce(k.title, r.class_sourced_id)) as name from ${from}
          left join users u on u.customer_id = ${customerId} and u.sourced_id = r.user_sourced_id
          left join classes k on k.customer_id = ${customerId} and k.sourced_id = r.class_sourced_id where ${scope}`;
      }
      return sql`select r.sourced_id, r.title as name from ${from} where ${scope}`;
    };
    const ids = sql.join(sourcedIds);
    const [live, staged] = await Promise.all([
      named(t.live, sql`r.customer_id = ${customerId} and r.sourced_id in (${ids})`).execute(this.db),
      named(t.stage, sql`r.run_id = ${runId} and r.sourced_id in (${ids})`).execute(this.db),
    ]);
    const out = new Map<string, string>();
    for (const r of [...(staged.rows as { sourced_id: string; name: string | null }[]), ...(live.rows as { sourced_id: string; name: string | null }[])]) {
      if (r.name) out.set(r.sourced_id, r.name);
    }
    return out;
  }

  /** Roster passwords of a run still waiting to be hashed. */
  async pendingPasswords(runId: string): Promise<number> {
    const r = await this.db
      .selectFrom('pending_passwords')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Takes the customer's run lease, or returns false while another live run holds it. */
  async acquireLease(customerId: string, runId: string, now: string, expiresAt: string): Promise<boolean> {
    const row = await this.db
      .insertInto('roster_run_leases')
      .values({ customer_id: customerId, run_id: runId, expires_at: expiresAt })
      .onConflict((oc) => oc.column('customer_id').doUpdateSet({ run_id: runId, expires_at: expiresAt }).where('roster_run_leases.expires_at', '<', now))
      .returning('run_id')
      .executeTakeFirst();
    return row?.run_id === runId;
  }

  /** Extends the lease while the run is alive. */
  async renewLease(customerId: string, runId: string, expiresAt: string): Promise<void> {
    await this.db.updateTable('roster_run_leases').set({ expires_at: expiresAt }).where('customer_id', '=', customerId).where('run_id', '=', runId).execute();
  }

  /** Frees the lease. */
  async releaseLease(customerId: string, runId: string): Promise<void> {
    await this.db.deleteFrom('roster_run_leases').where('customer_id', '=', customerId).where('run_id', '=', runId).execute();
  }
}

// A stored issue as DESIGN.md's Issue.
function issueOf(r: Omit<RosterRunIssuesTable, 'run_id' | 'seq'>): RunIssue {
  return { file: r.file || null, line: r.line, column: r.col, sourcedId: r.sourced_id, severity: r.severity, code: r.code, message: r.message };
}
