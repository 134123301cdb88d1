/*
 * What logging a read costs (`npm run bench:audit [-- --requests 600 --dialects sqlite,postgres
 * --log-rows 200000]`): the user page (GET /api/customers/:id/users/:userId, which writes one
 * `user.viewed` audit entry) over real HTTP on loopback, one request at a time, with the entry and
 * without it (AuditService.recordRead made a no-op in this process, which runs the server), in
 * alternating blocks so drift of the machine falls on both alike. The audit log is filled first with
 * `--log-rows` entries, so each insert lands in a table (and its four indexes) of a busy install.
 * Prints p50, p90, p99 and mean per dialect, and the entries the measured requests wrote.
 */
import { parseArgs } from 'node:util';
import { AuditService } from '../src/audit/audit-service.js';
import type { TestDialect } from '../test/helpers/databases.js';
import { postgresSkipReason } from '../test/helpers/databases.js';
import { startListeningApp } from '../test/helpers/listening.js';
import { WALL_PASSWORD, seedTenant } from '../test/walls/tenant.js';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '600' }, dialects: { type: 'string', default: 'sqlite,postgres' }, 'log-rows': { type: 'string', default: '200000' } },
});
const REQUESTS = Number(values.requests);
const LOG_ROWS = Number(values['log-rows']);
const BLOCK = 50;

const realRecordRead = AuditService.prototype.recordRead;
function logging(on: boolean): void {
  AuditService.prototype.recordRead = on ? realRecordRead : async () => undefined;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function bench(dialect: TestDialect): Promise<void> {
  const server = await startListeningApp(dialect);
  try {
    const tenant = await seedTenant(server.ctx, 'bench');
    const k = server.ctx.db.kysely;
    const filler = Array.from({ length: 1000 }, (_, i) => ({
      customer_id: tenant.id,
      actor_user_id: tenant.userIds.customer_admin,
      actor_label: tenant.logins.customer_admin,
      action: i % 3 ? 'user.viewed' : 'user.updated',
      target_type: 'user',
      target_id: tenant.ids.user,
      fields: '[]',
      at: new Date(Date.now() - (LOG_ROWS - i) * 60_000).toISOString(),
      kind: i % 3 ? ('read' as const) : ('write' as const),
      subject_user_id: tenant.ids.user,
    }));
    for (let n = 0; n < LOG_ROWS; n += filler.length) await k.insertInto('audit_log').values(filler).execute();

    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: tenant.logins.customer_admin, password: WALL_PASSWORD }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const url = `${server.url}/api/customers/${tenant.id}/users/${tenant.ids.user}`;
    const once = async (): Promise<number> => {
      const start = performance.now();
      const res = await fetch(url, { headers: { cookie } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`user page answered ${res.status}`);
      return performance.now() - start;
    };
    for (let i = 0; i < 100; i++) await once(); // warm-up, logging on

    const times: Record<'with' | 'without', number[]> = { with: [], without: [] };
    const before = await k
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (let done = 0; done < REQUESTS * 2; done += BLOCK) {
      const mode = (done / BLOCK) % 2 === 0 ? 'with' : 'without';
      logging(mode === 'with');
      for (let i = 0; i < BLOCK; i++) times[mode].push(await once());
    }
    logging(true);
    const after = await k
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();

    console.log(`\n${dialect}: GET user page, ${REQUESTS} requests each way, audit log of ${LOG_ROWS.toLocaleString('en')} entries`);
    console.log('                   p50      p90      p99     mean   (ms)');
    for (const mode of ['without', 'with'] as const) {
      const sorted = [...times[mode]].sort((x, y) => x - y);
      const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
      const cell = (v: number) => v.toFixed(2).padStart(8);
      console.log(`  ${mode === 'with' ? 'with the entry   ' : 'without the entry'}${cell(percentile(sorted, 50))} ${cell(percentile(sorted, 90))} ${cell(percentile(sorted, 99))} ${cell(mean)}`);
    }
    console.log(`  entries written by the measured requests: ${Number(after.n) - Number(before.n)} (expected ${times.with.length})`);
  } finally {
    await server.close();
  }
}

for (const dialect of values.dialects.split(',') as TestDialect[]) {
  if (dialect === 'postgres' && postgresSkipReason()) continue;
  await bench(dialect);
}
