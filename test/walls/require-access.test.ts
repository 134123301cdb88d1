/* policy.requireAccess: the tenant wall, the permission, every id of a request checked against the customer and, for an institute admin, their schools. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assertWholeCustomerAccess, requireAccess, type Actor, type OwnershipLookup, type RecordKind } from '../../src/accounts/policy.js';
import { AppError } from '../../src/errors.js';

// Customer "a" owns run r1, book b1, users u1, u2 and classes c1, c2; customer "b" owns run r2.
// In "a", u1 and c1 are of school s1, u2 and c2 of school s2; the institute admin "x" acts for s1.
const owned: Record<string, Partial<Record<RecordKind, string[]>>> = { a: { run: ['r1'], book: ['b1'], user: ['u1', 'u2'], class: ['c1', 'c2'] }, b: { run: ['r2'] } };
const schoolOf: Record<string, string> = { u1: 's1', c1: 's1', u2: 's2', c2: 's2' };
const asked: string[] = [];
const lookup: OwnershipLookup = {
  async ownedBy(customerId, kind, ids) {
    asked.push(`${customerId}:${kind}:${ids.join(',')}`);
    return new Set(ids.filter((id) => owned[customerId]?.[kind]?.includes(id)));
  },
  async schoolsOf(customerId, userId) {
    asked.push(`${customerId}:schools:${userId}`);
    return userId === 'x' ? ['s1'] : [];
  },
  async withinSchools(customerId, kind, ids, schools) {
    asked.push(`${customerId}:${kind} within ${schools.join(',')}:${ids.join(',')}`);
    return new Set(ids.filter((id) => schools.includes(schoolOf[id] ?? '')));
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

it("an institute admin reaches the people and classes of their own schools only: another school's answer NOT_FOUND, as another customer's do", async () => {
  asked.length = 0;
  await requireAccess(lookup, actor('institute_admin', 'a'), 'customer.console', { customerId: 'a', user: 'u1', class: 'c1', book: 'b1' });
  assert.deepEqual(asked.sort(), ['a:book:b1', 'a:class within s1:c1', 'a:class:c1', 'a:schools:x', 'a:user within s1:u1', 'a:user:u1']);
  await assert.rejects(requireAccess(lookup, actor('institute_admin', 'a'), 'customer.console', { customerId: 'a', user: ['u1', 'u2'] }), refusal('NOT_FOUND', 'User not found.'));
  await assert.rejects(requireAccess(lookup, actor('institute_admin', 'a'), 'customer.console', { customerId: 'a', class: 'c2' }), refusal('NOT_FOUND', 'Class not found.'));
  // A customer admin is not limited to schools: no school lookup at all.
  asked.length = 0;
  await requireAccess(lookup, actor('customer_admin', 'a'), 'customer.console', { customerId: 'a', user: ['u1', 'u2'], class: 'c2' });
  assert.deepEqual(asked.sort(), ['a:class:c2', 'a:user:u1,u2']);
});

it("the whole customer's areas refuse an institute admin with FORBIDDEN saying why, and let the customer's admin through", () => {
  assert.throws(() => assertWholeCustomerAccess(actor('institute_admin', 'a'), 'a', 'roster'), refusal('FORBIDDEN'));
  assert.throws(() => assertWholeCustomerAccess(actor('institute_admin', 'a'), 'a', 'roster'), /a roster file is the truth for every school/);
  assert.throws(() => assertWholeCustomerAccess(actor('customer_admin', 'a'), 'b', 'roster'), refusal('NOT_FOUND'));
  assertWholeCustomerAccess(actor('customer_admin', 'a'), 'a', 'roster');
  assertWholeCustomerAccess(actor('enterprise_admin', null), 'b', 'audit');
});
