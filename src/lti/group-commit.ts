import type { Kysely, Transaction } from 'kysely';

/** How long a batch takes newcomers, and how many. */
export interface GroupCommitOptions {
  windowMs: number;
  maxMembers: number;
}

/**
 * Group commit for SQLite, where each commit is an fsync and there is one writer: work that arrives
 * while a batch's transaction is open joins it, and the batch commits once, when its last member
 * has finished. A batch takes newcomers for `windowMs` after it opens (or up to `maxMembers`);
 * later arrivals start the next one. Each member's promise settles only after the commit, so its
 * writes are durable when it answers. Work that throws fails its whole batch (every member's
 * writes roll back and every member rejects): members must turn expected refusals into values.
 */
export class GroupCommit<DB> {
  private current: Batch<DB> | null = null;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly opts: GroupCommitOptions,
  ) {}

  /** Runs `work` inside the open batch's transaction, or a new one; resolves once that has committed. */
  run<T>(work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    if (!this.current?.accepting()) this.current = new Batch(this.db, this.opts);
    return this.current.add(work);
  }
}

class Batch<DB> {
  private members = 0;
  private closed = false;
  private failure: { error: unknown } | null = null;
  private readonly openedAt = Date.now();
  private readonly trx: Promise<Transaction<DB>>;
  private readonly committed: Promise<void>;
  private finish!: () => void;

  constructor(
    db: Kysely<DB>,
    private readonly opts: GroupCommitOptions,
  ) {
    let opened!: (trx: Transaction<DB>) => void;
    this.trx = new Promise((resolve) => (opened = resolve));
    const allDone = new Promise<void>((resolve) => (this.finish = resolve));
    this.committed = db.transaction().execute(async (trx) => {
      opened(trx);
      await allDone;
      if (this.failure) throw this.failure.error;
    });
    // Members await `committed` themselves; this only keeps a rolled-back batch from being "unhandled".
    this.committed.catch(() => undefined);
  }

  accepting(): boolean {
    return !this.closed && this.members < this.opts.maxMembers && Date.now() - this.openedAt < this.opts.windowMs;
  }

  async add<T>(work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    this.members++;
    let result: T | undefined;
    try {
      result = await work(await this.trx);
    } catch (error) {
      this.failure ??= { error };
    } finally {
      if (--this.members === 0) {
        this.closed = true;
        this.finish();
      }
    }
    await this.committed;
    return result as T;
  }
}

/**
 * Runs `work` in one transaction (the open batch's, when `commits` is given) that commits even when
 * `work` throws a refusal (`isRefusal`), which then reaches the caller: a refused launch keeps its
 * writes (a used nonce or login state), and in a batch one person's refusal rolls back no one else.
 * Any other error rolls the transaction back.
 */
export async function commitThroughRefusals<DB, T>(db: Kysely<DB>, commits: GroupCommit<DB> | null, work: (trx: Kysely<DB>) => Promise<T>, isRefusal: (err: unknown) => boolean): Promise<T> {
  const settled = async (trx: Kysely<DB>): Promise<{ value: T } | { refused: unknown }> => {
    try {
      return { value: await work(trx) };
    } catch (err) {
      if (isRefusal(err)) return { refused: err };
      throw err;
    }
  };
  const result = commits ? await commits.run(settled) : await db.transaction().execute(settled);
  if ('refused' in result) throw result.refused;
  return result.value;
}
