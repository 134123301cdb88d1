/*
 * Retention of the audit log: LECTERN_AUDIT_RETENTION_DAYS (365 by default) and the daily purge
 * (purgeAll), which deletes reads and changes older than that, for every customer and the platform,
 * in batches, and nothing younger.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachDialect, seedCustomer, startTestApp, type TestApp } from '../../test/helpers/app.js';
import { loadConfig } from '../config.js';
import type { AuditKind } from '../db/schema.js';
import { purgeAll, purgeSettings } from '../retention.js';

const DAY = 86_400_000;

it('LECTERN_AUDIT_RETENTION_DAYS: a year unless set; a whole number of days', () => {
  assert.equal(loadConfig({}).auditRetentionDays, 365);
  assert.equal(loadConfig({ LECTERN_AUDIT_RETENTION_DAYS: '90' }).auditRetentionDays, 90);
  for (const bad of ['0', '-1', '1.5', 'forever']) assert.throws(() => loadConfig({ LECTERN_AUDIT_RETENTION_DAYS: bad }), /LECTERN_AUDIT_RETENTION_DAYS must be a whole number/);
});

describeEachDialect('The daily purge keeps the audit log to its retention', (dialect) => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp(dialect, { auditRetentionDays: 30 });
  });
  after(() => t.close());

  it('deletes entries past the retention (reads and changes, every customer and the platform), in batches, and keeps the rest', async () => {
    const k = t.ctx.db.kysely;
    const customer = await seedCustomer(t.ctx);
    await k.deleteFrom('audit_log').execute();
    const now = new Date('2032-06-01T00:00:00.000Z');
    const ago = (days: number, ms = 0) => new Date(now.getTime() - days * DAY + ms).toISOString();
    const entry = (at: string, kind: AuditKind, customerId: string | null, action: string) => ({
      customer_id: customerId,
      actor_user_id: null,
      actor_label: 'cli',
      action,
      target_type: 'customer',
      target_id: customerId ?? 'all',
      fields: '[]',
      at,
      kind,
      subject_user_id: null,
    });
    // More old entries than one delete takes (5,000), of both kinds, the customer's and the platform's.
    const old = Array.from({ length: 6200 }, (_, i) => entry(ago(31 + (i % 300)), i % 2 ? 'read' : 'write', i % 3 ? customer.id : null, `old.${i % 4}`));
    const kept = [entry(ago(30, 1), 'read', customer.id, 'kept.edge'), entry(ago(29), 'write', customer.id, 'kept.recent'), entry(ago(0), 'read', null, 'kept.today')];
    const gone = entry(ago(30, -1), 'write', customer.id, 'gone.edge');
    // The record an erasure leaves stays as long as its certificate, however old.
    const erased = [entry(ago(900), 'write', null, 'customer.erased'), entry(ago(800), 'write', customer.id, 'user.erased')];
    for (let i = 0; i < old.length; i += 500)
      await k
        .insertInto('audit_log')
        .values(old.slice(i, i + 500))
        .execute();
    await k
      .insertInto('audit_log')
      .values([...erased, ...kept, gone])
      .execute();

    const result = await purgeAll(k, t.ctx.contentStore, t.ctx.bundles, { ...purgeSettings(t.ctx.config), now });
    assert.equal(result.auditEntries, old.length + 1);
    const left = await k.selectFrom('audit_log').select('action').orderBy('id').execute();
    assert.deepEqual(
      left.map((r) => r.action),
      ['customer.erased', 'user.erased', 'kept.edge', 'kept.recent', 'kept.today'],
    );
    assert.equal((await purgeAll(k, t.ctx.contentStore, t.ctx.bundles, { ...purgeSettings(t.ctx.config), now })).auditEntries, 0);
  });
});
