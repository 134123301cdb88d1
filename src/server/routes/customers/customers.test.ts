import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachDialect, startTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { customerBody } from '../../../../test/helpers/factories.js';

describeEachDialect('POST /api/customers', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect);
  });
  after(() => t.close());

  it('adds an SFTP customer and shows the LTI secret once', async () => {
    const admin = await t.asAdmin();
    const body = customerBody();
    const res = await admin.post<{ id: string; lti: { sharedSecret: string; consumerKey: string } }>('/api/customers', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.lti.sharedSecret, /^[A-Za-z0-9_-]{32}$/);
    const again = await admin.get<Record<string, unknown>>(`/api/customers/${res.body.id}`);
    assert.equal(again.status, 200);
    assert.ok(!JSON.stringify(again.body).includes(res.body.lti.sharedSecret));
    assert.ok(!JSON.stringify(again.body).includes(body.rostering.sftp.password));
  });
});
