/*
 * The Audit page end to end, in real Chromium against the real server: a customer admin opens a
 * student's page and follows "Access log" to that person's entries (the page they just opened is
 * there), reaches the page from the main navigation, filters by kind, action, who and days, pages
 * through, and downloads the CSV of what the filters keep; the enterprise admin sees every customer
 * and filters by one from a customer's audit trail; an institute admin has no Audit link. The page
 * in Spanish (chosen on the Account page): its words, the actions' labels and the days of Tokyo.
 * Screenshots: audit-01-person.png, audit-02-filtered.png, audit-03-enterprise.png, audit-04-spanish.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { AuditService } from '../../src/audit/audit-service.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { waitFor } from '../helpers/wait.js';
import { WALL_PASSWORD, seedTenant, type Tenant } from '../walls/tenant.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });

describe('The Audit page in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let a: Tenant;
  let b: Tenant;

  before(async () => {
    server = await startConsoleServer();
    a = await seedTenant(server.ctx, 'lincoln');
    b = await seedTenant(server.ctx, 'jefferson');
    // 120 earlier reads of A's class roster by A's admin, one an hour from midnight of 10 March 2030 in
    // Tokyo (the browser's zone here), and one by B's admin of B's. The page's days are the browser's.
    const audit = new AuditService(server.ctx.db.kysely);
    const actor = { userId: a.userIds.customer_admin, role: 'customer_admin' as const, customerId: a.id, label: a.logins.customer_admin };
    for (let i = 0; i < 120; i++) await audit.recordRead(actor, { customerId: a.id, action: 'class.roster_viewed', targetType: 'class', targetId: a.ids.class, fields: ['members:2'] });
    const rows = await server.ctx.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'class.roster_viewed').orderBy('id').execute();
    for (const [i, r] of rows.entries()) {
      const at = new Date(Date.UTC(2030, 2, 10 + Math.floor(i / 24), (i % 24) - 9, 30)).toISOString();
      await server.ctx.db.kysely.updateTable('audit_log').set({ at }).where('id', '=', r.id).execute();
    }
    await new AuditService(server.ctx.db.kysely).recordRead(
      { userId: b.userIds.customer_admin, role: 'customer_admin', customerId: b.id, label: b.logins.customer_admin },
      { customerId: b.id, action: 'user.viewed', targetType: 'user', targetId: b.ids.user, fields: [] },
    );
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'Asia/Tokyo' });
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const table = () => page.getByRole('table', { name: 'Audit entries, newest first' });
  /** The cell texts of every row, once the table shows `n` rows and is not loading. */
  const rowsWhen = (n: number) =>
    waitFor(async () => {
      if ((await page.locator('.table-wrap[aria-busy="true"]').count()) > 0) return null;
      const rows = await table().locator('tbody tr').all();
      if (rows.length !== n) return null;
      return Promise.all(rows.map((r) => r.getByRole('cell').allInnerTexts()));
    }, `${n} audit rows`);

  it("a customer admin follows a person's Access log, filters, pages and downloads the CSV", async () => {
    const base = `${server.url}/customers/${a.id}`;
    await signInToConsole(page, server.url, a.logins.customer_admin, WALL_PASSWORD, `${base}/users`);
    await page.goto(`${base}/users/${a.ids.user}`);
    await visible(page.getByRole('heading', { name: /Pupil lincoln/, level: 1 }));
    await page.getByRole('link', { name: 'Access log' }).click();
    await page.waitForURL((u) => u.pathname === '/audit' && u.searchParams.get('person') === a.ids.user);
    // The page just opened is the entry: who, what, about whom.
    const [row] = await rowsWhen(1);
    assert.deepEqual(row!.slice(1, 4), [a.logins.customer_admin, "Opened a person's page Read\nuser.viewed", 'Pupil lincoln Family stu-lincoln']);
    await visible(page.getByText('Showing 1–1 of 1'));
    await screenshot(page, 'audit-01-person');
    await expectAccessible(page, 'audit-01-person');

    // From the main navigation: every entry of A, none of B.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL((u) => u.pathname === '/audit' && u.search === '');
    await rowsWhen(50);
    const total = Number(/of (\d+)/.exec(await page.locator('.pager-count').innerText())?.[1]);
    assert.ok(total > 120, `${total} entries`);
    assert.equal(await table().getByText(b.logins.customer_admin).count(), 0);

    // Reads only, of class rosters, on the days of March 2030: 120 entries, 50 a page.
    await page.getByLabel('Kind').selectOption('read');
    await page.getByLabel('Action').fill('class.roster_viewed');
    await page.getByLabel('From').fill('2030-03-10');
    await page.getByLabel('To').fill('2030-03-14');
    const first = await rowsWhen(50);
    assert.ok(
      first.every((r) => r[2] === "Opened a class's roster Read\nclass.roster_viewed" && r[3] === 'Algebra lincoln' && r[4] === 'members:2'),
      JSON.stringify(first[0]),
    );
    await visible(page.getByText('Showing 1–50 of 120'));
    await page.getByRole('button', { name: 'Next →' }).click();
    await rowsWhen(50);
    await visible(page.getByText('Showing 51–100 of 120'));
    await page.getByRole('button', { name: 'Next →' }).click();
    await rowsWhen(20);
    await visible(page.getByText('Showing 101–120 of 120'));
    // One day fewer: the 14th (its 24 entries, 96–119) drops out.
    await page.getByLabel('To').fill('2030-03-13');
    await rowsWhen(50);
    await visible(page.getByText('Showing 1–50 of 96'));
    // The filters are in the address, so the view can be shared and reloaded.
    const address = new URL(page.url());
    assert.equal(address.searchParams.get('kind'), 'read');
    assert.equal(address.searchParams.get('action'), 'class.roster_viewed');
    await page.getByLabel('Who').fill(a.logins.customer_admin);
    await rowsWhen(50);
    await screenshot(page, 'audit-02-filtered');
    await expectAccessible(page, 'audit-02-filtered');

    // The CSV link carries the same filters; the file holds the 96 entries, newest first.
    const href = await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href');
    assert.ok(href?.startsWith('/api/audit.csv?'), href ?? '');
    const csv = await page.request.get(`${server.url}${href}`);
    assert.equal(csv.status(), 200);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    assert.equal(lines[0], 'at,customer,actor,action,kind,targetType,targetId,personId,personName,personLogin,fields');
    assert.equal(lines.length, 97);
    const times = lines.slice(1).map((l) => l.split(',')[0]!);
    assert.ok(lines.slice(1).every((l) => l.includes(',class.roster_viewed,read,class,')));
    // Midnight of the 10th to midnight after the 13th, Tokyo time, in UTC.
    assert.deepEqual([times.at(-1), times[0]], ['2030-03-09T15:30:00.000Z', '2030-03-13T14:30:00.000Z'], 'newest first, the days of Tokyo');

    // Nothing matches: said so, with the way back.
    await page.getByLabel('About person').fill('nobody-at-all');
    await visible(page.getByRole('heading', { name: 'No entries match' }));
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await rowsWhen(50);
    assert.equal(await page.getByLabel('Kind').inputValue(), '');
    assert.equal(await page.getByLabel('From').inputValue(), '');
  });

  it('shows the Audit page in Spanish once the customer admin chooses Spanish', async () => {
    await page.goto(`${server.url}/account`);
    // The Account page's own switch (the top bar has one too).
    await page.getByRole('main').getByRole('combobox', { name: 'Language' }).selectOption('es');
    await visible(page.getByRole('heading', { name: 'Cuenta', level: 1 }));
    // The entries of one day of class-roster reads, filtered by the address.
    await page.goto(`${server.url}/audit?kind=read&action=class.roster_viewed&from=${encodeURIComponent('2030-03-10T15:00:00.000Z')}&to=${encodeURIComponent('2030-03-11T15:00:00.000Z')}`);
    await visible(page.getByRole('heading', { name: 'Auditoría', level: 1 }));
    assert.equal(await page.evaluate('document.documentElement.lang'), 'es');
    const rows = await waitFor(async () => {
      if ((await page.locator('.table-wrap[aria-busy="true"]').count()) > 0) return null;
      const all = await page.getByRole('table', { name: 'Entradas de auditoría, de la más reciente a la más antigua' }).locator('tbody tr').all();
      return all.length === 24 ? Promise.all(all.map((r) => r.getByRole('cell').allInnerTexts())) : null;
    }, '24 audit rows in Spanish');
    // The action's label and the read badge in Spanish, the code as it is; the 11th in Tokyo, in Spanish.
    assert.deepEqual(rows[0]!.slice(2, 4), ['Abrió la lista de una clase Consulta\nclass.roster_viewed', 'Algebra lincoln']);
    assert.match(rows[0]![0]!, /^11 mar 2030, 23:30$/);
    assert.match(rows[23]![0]!, /^11 mar 2030, 0:30$/);
    await visible(page.getByText('Mostrando 1–24 de 24'));
    assert.equal(await page.getByLabel('Tipo').locator('option:checked').innerText(), 'Consultas (datos mostrados o descargados)');
    assert.equal(await page.getByLabel('Desde').inputValue(), '2030-03-11');
    await visible(page.getByRole('button', { name: 'Quitar los filtros' }));
    await visible(page.getByRole('link', { name: 'Descargar CSV' }));
    await screenshot(page, 'audit-04-spanish');
    await expectAccessible(page, 'audit-04-spanish');

    // Back to English, for this device's next pages.
    await page.goto(`${server.url}/account`);
    await page.getByRole('main').getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    await visible(page.getByRole('heading', { name: 'Account', level: 1 }));
  });

  it("the enterprise admin sees every customer's entries, and one customer's from its audit trail", async () => {
    await page.context().clearCookies();
    await signInToConsole(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${server.url}/customers/${b.id}`);
    await page.getByRole('link', { name: 'All entries, reads included' }).click();
    await page.waitForURL((u) => u.pathname === '/audit' && u.searchParams.get('customer') === b.id);
    await waitFor(async () => (await page.locator('.table-wrap[aria-busy="true"]').count()) === 0 && (await table().locator('tbody tr').count()) > 0, "B's rows");
    const customers = await table().locator('tbody tr td:nth-child(5)').allInnerTexts();
    assert.ok(
      customers.every((c) => c === 'School jefferson'),
      customers.join(),
    );
    assert.equal(await page.getByLabel('Customer').inputValue(), b.id);
    await page.getByLabel('Customer').selectOption('');
    await waitFor(async () => (new URL(page.url()).searchParams.has('customer') ? null : true), 'the customer filter cleared');
    await rowsWhen(50);
    const both = new Set(await table().locator('tbody tr td:nth-child(5)').allInnerTexts());
    assert.ok(both.has('School lincoln'), [...both].join());
    await screenshot(page, 'audit-03-enterprise');
    await expectAccessible(page, 'audit-03-enterprise');
  });

  it('an institute admin has no Audit link, and the page tells them it is not theirs', async () => {
    await page.context().clearCookies();
    await signInToConsole(page, server.url, a.logins.institute_admin, WALL_PASSWORD);
    await visible(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }));
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).count(), 0);
    await page.goto(`${server.url}/audit`);
    await visible(page.getByText("The audit log is for the platform's and each customer's administrators."));
  });
});
