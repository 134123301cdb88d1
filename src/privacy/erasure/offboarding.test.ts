/*
 * Offboarding: the daily purge erases a customer disabled longer than its offboarding period (its own,
 * or LECTERN_OFFBOARDING_DAYS), with a certificate of reason `offboarding`; not a day before, not an
 * active customer, not one enabled again; a customer disabled before this version starts its period
 * at the first purge.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { operatorActor } from '../../accounts/policy.js';
import { purgeAll, purgeSettings } from '../../retention.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';

const DAY = 86_400_000;

describeEachDialect('Offboarding erases disabled customers after their period', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect, { offboardingDays: 10 });
  });
  after(() => t.close());

  const purge = (daysFromNow: number) => purgeAll(t.ctx.db.kysely, t.ctx.contentStore, t.ctx.bundles, { ...purgeSettings(t.ctx.config, t.ctx.erasure), now: new Date(Date.now() + daysFromNow * DAY) });
  const exists = async (id: string) => Boolean(await t.ctx.db.kysely.selectFrom('customers').select('id').where('id', '=', id).executeTakeFirst());
  const disable = (id: string, status: 'active' | 'disabled' = 'disabled') => t.ctx.customers.update(operatorActor, id, { status });

  it('erases each disabled customer once its own or the default period has passed, and nothing else', async () => {
    const own = (await seedCustomer(t.ctx)).id;
    const byDefault = (await seedCustomer(t.ctx)).id;
    const active = (await seedCustomer(t.ctx)).id;
    const enabledAgain = (await seedCustomer(t.ctx)).id;
    const legacy = (await seedCustomer(t.ctx)).id;
    await t.ctx.erasure.setOffboarding(operatorActor, own, { days: 3 });
    for (const id of [own, byDefault, enabledAgain, legacy]) await disable(id);
    await disable(enabledAgain, 'active');
    // Disabled by a version without offboarding: no date yet.
    await t.ctx.db.kysely.deleteFrom('customer_offboarding').where('customer_id', '=', legacy).execute();

    assert.equal((await purge(2)).customersErased, 0);
    assert.deepEqual(await Promise.all([own, byDefault, active, enabledAgain, legacy].map(exists)), [true, true, true, true, true]);
    assert.equal((await purge(4)).customersErased, 1);
    assert.deepEqual(await Promise.all([own, byDefault, legacy].map(exists)), [false, true, true]);
    assert.equal((await purge(11)).customersErased, 1, 'the default period (LECTERN_OFFBOARDING_DAYS) has passed for the other');
    assert.deepEqual(await Promise.all([byDefault, active, enabledAgain, legacy].map(exists)), [false, true, true, true]);
    // The legacy customer's period started at the first purge that saw it (two days from now).
    assert.equal((await purge(11.5)).customersErased, 0);
    assert.equal((await purge(12.5)).customersErased, 1);
    assert.ok(!(await exists(legacy)));

    const certificates = await t.ctx.db.kysely.selectFrom('erasure_certificates').select(['customer_id', 'reason', 'actor_label', 'kind']).orderBy('erased_at').execute();
    assert.deepEqual(
      certificates,
      [own, byDefault, legacy].map((id) => ({ customer_id: id, reason: 'offboarding', actor_label: 'Lectern (offboarding)', kind: 'customer' })),
    );
  });
});
