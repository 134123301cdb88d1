/*
 * Migration 0016: a binding written as LTI 1.1 writes it (none of the new columns) reads back as a
 * '1.1' binding with the AGS columns empty; a 1.3 binding goes, with its calls, when its platform
 * registration is deleted, and the 1.1 bindings of the same customer stay.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, it } from 'node:test';
import { uuidv7 } from '../uuid.js';
import { OutcomeRepository } from '../../lti/outcome-repository.js';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../../test/helpers/app.js';

const NOW = '2026-12-03T12:00:00.000Z';

describeEachDialect('migration 0016_lti13_ags', (dialect) => {
  let t: TestApp;
  let customerId: string;
  let userId: string;
  let platformId: string;

  before(async () => {
    t = await startTestApp(dialect);
    const issuer = 'https://lms.lincoln.example';
    const seeded = await seedCustomer(t.ctx, {
      lti: {
        version: 'both',
        platforms: [{ issuer, clientId: '42', deploymentIds: ['1:abc'], authLoginUrl: `${issuer}/auth`, authTokenUrl: `${issuer}/token`, jwksUrl: `${issuer}/jwks` }],
      } as never,
    });
    customerId = seeded.id;
    userId = seeded.created.administrator.userId!;
    platformId = (await t.ctx.db.kysely.selectFrom('lti_platforms').select('id').where('customer_id', '=', customerId).executeTakeFirstOrThrow()).id;
  });
  after(() => t.close());

  const binding = (link: string) => ({
    id: crypto.randomUUID(),
    customer_id: customerId,
    user_id: userId,
    consumer_guid: 'canvas',
    resource_link_id: link,
    target_type: 'book' as const,
    target_id: 'b1',
    service_url: 'https://lms.lincoln.example/outcomes',
    result_sourcedid: `sourced-${link}`,
    consumer_key: 'key',
    reported_score: null,
    created_at: NOW,
    updated_at: NOW,
  });
  const rows = () => t.ctx.db.kysely.selectFrom('lti_outcome_bindings').selectAll().where('customer_id', '=', customerId).orderBy('resource_link_id').execute();

  it('reads a binding saved without the new columns as LTI 1.1, its AGS columns empty', async () => {
    await new OutcomeRepository(t.ctx.db.kysely).saveBinding(binding('a-link-11'));
    const [row] = await rows();
    assert.deepEqual([row!.lti_version, row!.platform_id, row!.line_item_url, row!.lineitems_url, row!.lti_user_id, row!.ags_scopes], ['1.1', null, null, null, null, null]);
  });

  it('deletes a 1.3 binding and its calls with its platform registration, and keeps the 1.1 ones', async () => {
    const repo = new OutcomeRepository(t.ctx.db.kysely);
    const ags = {
      ...binding('b-link-13'),
      consumer_guid: `lti13:${platformId}:1:abc`,
      lti_version: '1.3' as const,
      platform_id: platformId,
      line_item_url: 'https://lms.lincoln.example/li/1',
      lti_user_id: 'sub-1',
    };
    await repo.saveBinding(ags);
    await repo.insertCall({ id: uuidv7(), customer_id: customerId, binding_id: ags.id, score: 0.5, status: 'queued', attempts: 0, last_error: '', created_at: NOW, updated_at: NOW });
    assert.deepEqual(
      (await rows()).map((r) => r.lti_version),
      ['1.1', '1.3'],
    );
    await t.ctx.db.kysely.deleteFrom('lti_platforms').where('customer_id', '=', customerId).where('id', '=', platformId).execute();
    assert.deepEqual(
      (await rows()).map((r) => r.resource_link_id),
      ['a-link-11'],
    );
    const calls = await t.ctx.db.kysely.selectFrom('lti_outcome_calls').select('id').where('customer_id', '=', customerId).where('binding_id', '=', ags.id).execute();
    assert.deepEqual(calls, []);
  });
});
