import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachDialect, startTestApp, type TestApp, type TestClient } from '../../../../test/helpers/app.js';
import { assertError } from '../../../../test/helpers/assertions.js';
import { customerBody } from '../../../../test/helpers/factories.js';
import { loginFor } from '../../../rostering/sync/matching.js';

interface View {
  id: string;
  rostering: { suffix: string };
}

describeEachDialect('the Suffix rule: username + "@" + Suffix', (dialect) => {
  let t: TestApp;
  let admin: TestClient;
  before(async () => {
    t = await startTestApp(dialect);
    admin = await t.asAdmin();
  });
  after(() => t.close());

  it('a Suffix without its "@" gets one (stored so), so a roster login is jdoe@lincoln', async () => {
    const res = await admin.post<View>('/api/customers', customerBody({ rostering: { suffix: 'Lincoln' } }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.rostering.suffix, '@lincoln');
    assert.equal(loginFor('jdoe', res.body.rostering.suffix), 'jdoe@lincoln');
    const kept = await admin.post<View>('/api/customers', customerBody({ rostering: { suffix: '@springfield.k12' } }));
    assert.equal(kept.body.rostering.suffix, '@springfield.k12');
    const none = await admin.post<View>('/api/customers', customerBody({ rostering: { suffix: '' } }));
    assert.equal(none.body.rostering.suffix, '');
  });

  it('refuses a second "@" or a separator with nothing after it, with a field message', async () => {
    for (const suffix of ['lincoln@usd', '@', '@.lincoln']) {
      const res = await admin.post('/api/customers', customerBody({ rostering: { suffix } }));
      const err = assertError(res, 400, 'VALIDATION_FAILED', ['rostering.suffix']);
      assert.match(err.fields![0]!.message, /one @ followed by letters, digits and \. _ -/);
    }
  });

  it('keeps a Suffix stored before the rule while it is sent back unchanged: the logins it made keep working', async () => {
    const created = await admin.post<View>('/api/customers', customerBody({ rostering: { suffix: '@lincoln' } }));
    // As a customer added before the rule has it: no "@", so its rostered logins are like ajoneslincoln.
    await t.ctx.db.kysely.updateTable('rostering_configs').set({ suffix: 'lincoln' }).where('customer_id', '=', created.body.id).execute();
    const unchanged = await admin.patch<View>(`/api/customers/${created.body.id}`, { rostering: { suffix: 'lincoln' }, address: { city: 'Lincoln City' } });
    assert.equal(unchanged.status, 200, JSON.stringify(unchanged.body));
    assert.equal(unchanged.body.rostering.suffix, 'lincoln');
    const other = await admin.patch<View>(`/api/customers/${created.body.id}`, { profile: { name: 'Lincoln Public Schools' } });
    assert.equal(other.body.rostering.suffix, 'lincoln');
    // Changed on purpose, it follows the rule.
    const changed = await admin.patch<View>(`/api/customers/${created.body.id}`, { rostering: { suffix: 'lps' } });
    assert.equal(changed.body.rostering.suffix, '@lps');
  });
});
