import type { Kysely } from 'kysely';
import type { Database, LtiToolKey, ToolKeyState } from '../db/schema.js';

/**
 * The tool's RS256 keys. They belong to the install, not to a customer (every platform of every
 * customer verifies Lectern's signatures against the one JWKS), so no method takes a customer id.
 * State changes are compare-and-set on the current state, and the unique index on the non-retired
 * states keeps one 'current' and one 'next' whatever processes race.
 */
export class ToolKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds a key in the given state. Throws on a unique violation when that state is already held. */
  async insert(key: LtiToolKey): Promise<void> {
    await this.db.insertInto('lti_tool_keys').values(key).execute();
  }

  /** Every key, newest first: a handful of rows. */
  async listAll(): Promise<LtiToolKey[]> {
    return this.db.selectFrom('lti_tool_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid').execute();
  }

  /** The key in a non-retired state, if any. */
  async findInState(state: Exclude<ToolKeyState, 'retired'>): Promise<LtiToolKey | undefined> {
    return this.db.selectFrom('lti_tool_keys').selectAll().where('state', '=', state).executeTakeFirst();
  }

  /** Retires the current key (when it is still `kid`); false when another process already did. */
  async retire(kid: string, at: string): Promise<boolean> {
    const result = await this.db.updateTable('lti_tool_keys').set({ state: 'retired', retired_at: at }).where('kid', '=', kid).where('state', '=', 'current').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Makes the waiting key `kid` the signing one; false when another process already did. */
  async promote(kid: string, at: string): Promise<boolean> {
    const result = await this.db.updateTable('lti_tool_keys').set({ state: 'current', activated_at: at }).where('kid', '=', kid).where('state', '=', 'next').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Drops retired keys retired before `cutoff` (no token they signed can still be alive); returns how many. */
  async deleteRetiredBefore(cutoff: string): Promise<number> {
    const result = await this.db.deleteFrom('lti_tool_keys').where('state', '=', 'retired').where('retired_at', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
