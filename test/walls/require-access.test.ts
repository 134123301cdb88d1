/* policy.requireAccess: the tenant wall, the permission, and every id of a request checked against the customer. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { requireAccess, type Actor, type OwnershipLookup, type RecordKind } from '../../src/accounts/policy.js';
import { AppError } from '../../src/errors.js';

// Customer "a" owns run r1, book b1 and users u1, u2; customer "b" owns run r2.
const owned: Record<string, Partial<Record<RecordKind, string[]>>> = { a: { run: ['r1'], book: ['b1'], user: ['u1', 'u2'] }, b: { run: ['r2'] } };
const asked: string[] = [];
const lookup: OwnershipLookup = {
  async ownedBy(customerId, kind, ids) {
    asked.push(`${customerId}:${kind}:${ids.join(',')}`);
    return new Set(ids.filter((id) => owned[customerId]?.[kind]?.includes(id)));
  },
};
const actor = (role: Actor['role'], customerId: string | null): Actor => ({ userId: 'x', role, customerId, label: role });
const refusal = (code: string, message?: string) => (err: unknown) => err instanceof AppError && err.code === code && (!message || err.message === message);

it("passes a customer's admin whose every id is the customer's, asking once per kind", async () => {
  asked.length = 0;
  await requireAccess(lookup, actor('customer_admin', 'a'), 'customer.console', { customerId: 'a', run: 'r1', user: ['u1', 'u2', 'u1'] });
  assert.deepEqual(asked.sort(), ['a:run:r1', 'a:user:u1,u2']);
  await requireAccess(lookup, actor('enterprise_admin', null), 'customer.settings', { customerId: 'b', run: 'r2' });
});

it("answers NOT_FOUND, naming the kind, for another customer's id, even inside the actor's own customer", async () => {
  await assert.rejects(requireAccess(lookup, actor('customer_admin', 'a'), 'customer.console', { customerId: 'a', run: 'r2' }), refusal('NOT_FOUND', 'Run not found.'));
  await assert.rejects(requireAccess(lookup, actor('institute_admin', 'a'), 'customer.console', { customerId: 'a', user: ['u1', 'nobody'] }), refusal('NOT_FOUND', 'User not found.'));
  await assert.rejects(requireAccess(lookup, actor('enterprise_admin', null), 'customer.console', { customerId: 'b', book: 'b1' }), refusal('NOT_FOUND', 'Title not found.'));
});

it('refuses before any lookup: another customer (NOT_FOUND), no console role or no settings right (FORBIDDEN)', async () => {
  asked.length = 0;
  await assert.rejects(requireAccess(lookup, actor('customer_admin', 'a'), 'customer.console', { customerId: 'b', run: 'r2' }), refusal('NOT_FOUND'));
  await assert.rejects(requireAccess(lookup, actor('teacher', 'a'), 'customer.console', { customerId: 'a', run: 'r1' }), refusal('FORBIDDEN'));
  await assert.rejects(requireAccess(lookup, actor('institute_admin', 'a'), 'customer.settings', { customerId: 'a' }), refusal('FORBIDDEN'));
  assert.deepEqual(asked, []);
});
