/*
 * The enterprise admin's Status page and the roster-run fixes of issue 15, in real Chromium against
 * the real server: the page's states, picture, filters and links (status-page.png); an API pull's
 * report in the API's words, and a failed pull that read nothing saying so (bug 4); the assign
 * picker (bug 6); the plan tab's names and natural order (bug 8); a note repeated on every row
 * grouped into one finding, the run green (bug 9).
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { zipSource } from '../../src/rostering/runs/zip-source.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, seedCustomer } from '../helpers/app.js';
import { epub3, writeBookFile } from '../helpers/books.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { HEADERS, district11, table, writeBundle } from '../helpers/bundles.js';
import { waitFor } from '../helpers/wait.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });
/** Waits until `table` shows `n` rows (lists answer after a short pause in typing). */
const rowsShown = (table: Locator, n: number) => waitFor(async () => (await table.locator('tbody tr').count()) === n || null, `${n} rows`);

describe('Status page and roster runs in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let zip: Awaited<ReturnType<typeof seedCustomer>>;
  let api: Awaited<ReturnType<typeof seedCustomer>>;
  let held: Awaited<ReturnType<typeof seedCustomer>>;
  let stale: Awaited<ReturnType<typeof seedCustomer>>;
  let failedPull = '';

  /** Runs a bundle for `customerId` as `lectern roster import` would (a preview with `dryRun`). */
  const importBundle = async (customerId: string, files: Record<string, string>, dryRun = false) => {
    const bundle = await writeBundle(files);
    const run = await server.ctx.runs.create(operatorActor, customerId, {
      trigger: 'cli',
      fileName: 'roster.zip',
      sizeBytes: fs.statSync(bundle).size,
      sha256: crypto.randomUUID(),
      bundlePath: bundle,
      dryRun,
    });
    return server.ctx.runs.execute(run.runId, customerId, zipSource(bundle));
  };

  before(async () => {
    server = await startConsoleServer();
    const k = server.ctx.db.kysely;
    zip = await seedCustomer(server.ctx, { profile: { name: 'Lincoln USD', code: 'lincoln' }, rostering: { syncType: 'zip', syncFrequency: 'manual', matchWith: 'sourcedId', suffix: '@lincoln' } });
    api = await seedCustomer(server.ctx, {
      profile: { name: 'Madison SD', code: 'madison' },
      rostering: { syncType: 'api', url: 'https://sis.madison.example/ims/oneroster/v1p1', consumerKey: 'key', secretKey: 'Madison-secret-1', period: 'daily' },
    });
    held = await seedCustomer(server.ctx, { profile: { name: 'Franklin County Schools', code: 'franklin' }, rostering: { period: 'daily' } });
    stale = await seedCustomer(server.ctx, { profile: { name: 'Jefferson Academy', code: 'jefferson' }, rostering: { period: 'hourly' } });
    for (const n of [1, 2, 3]) {
      await seedCustomer(server.ctx, { profile: { name: `Riverside ${n}`, code: `riverside-${n}` }, rostering: { syncType: 'zip', syncFrequency: 'manual' } });
    }
    await k.updateTable('customers').set({ created_at: '2024-01-01T00:00:00.000Z' }).where('id', '=', stale.id).execute();
    // Riverside 1: an LTI grade report to its LMS failed this week.
    const riverside = await k.selectFrom('customers').select(['id', 'admin_user_id']).where('code', '=', 'riverside-1').executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    const binding = crypto.randomUUID();
    await k
      .insertInto('lti_outcome_bindings')
      .values({
        id: binding,
        customer_id: riverside.id,
        user_id: riverside.admin_user_id!,
        consumer_guid: 'lms',
        resource_link_id: 'unit-1',
        target_type: 'book',
        target_id: 'b',
        service_url: 'https://lms.riverside.example/outcomes',
        result_sourcedid: 'r',
        consumer_key: 'k',
        reported_score: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await k
      .insertInto('lti_outcome_calls')
      .values({ id: crypto.randomUUID(), customer_id: riverside.id, binding_id: binding, score: 0.5, status: 'failed', attempts: 5, last_error: 'HTTP 500', created_at: now, updated_at: now })
      .execute();

    // Lincoln: a district applied. Madison: a pull that failed before reading anything. Franklin: a run held for approval.
    assert.equal((await importBundle(zip.id, district11())).status, 'succeeded');
    const pull = await server.ctx.runs.create(operatorActor, api.id, { trigger: 'api', fileName: 'sis.madison.example: full pull', sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
    failedPull = (await server.ctx.runs.fail(pull.runId, 'SOURCE_UNREACHABLE', 'The OneRoster API at sis.madison.example did not answer.')).runId;
    const hold = await server.ctx.runs.create(operatorActor, held.id, { trigger: 'sftp', fileName: 'roster.zip', sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
    await k.updateTable('roster_runs').set({ status: 'awaiting_approval', stage: 'done', hold_reason: '12 of 40 users would be deleted' }).where('id', '=', hold.runId).execute();

    browser = await launchBrowser();
    page = await newConsolePage(browser);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows every customer’s feeds on the Status page, with a picture by state, filters and links', async () => {
    await signInToConsole(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Status' }).click();
    await page.waitForURL(`${server.url}/status`);
    await visible(page.getByRole('heading', { name: 'Status', level: 1 }));
    const table = page.getByRole('table', { name: 'Customer status' });
    await visible(table.getByRole('link', { name: 'Madison SD', exact: true }));
    const row = (name: string) => table.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    assert.match((await row('Madison SD').textContent()) ?? '', /Last sync failed.*Failed.*OneRoster API/);
    assert.match((await row('Franklin County Schools').textContent()) ?? '', /Held for approval.*1 run to review/);
    assert.match((await row('Jefferson Academy').textContent()) ?? '', /Stale feed.*Never.*Stale/);
    assert.match((await row('Lincoln USD').textContent()) ?? '', /OK.*Succeeded.*File/);
    // The picture's legend counts each state; a state's button filters the list to it.
    const summary = page.getByRole('region', { name: 'Customers by state' });
    assert.match((await summary.textContent()) ?? '', /Last sync failed 1.*Held for approval 1.*Stale feed 1.*Grade reports failing 1.*OK 1.*No syncs yet 2/);
    assert.match((await row('Riverside 1').textContent()) ?? '', /Grade reports failing.*1 failed call/);
    await screenshot(page, 'status-01-page', { fullPage: true, docsName: 'status-page.png' });
    await expectAccessible(page, 'status page');

    await page.getByLabel('Only problems').check();
    await rowsShown(table, 4);
    assert.deepEqual((await table.getByRole('link', { name: /^(Madison|Franklin|Jefferson|Lincoln|Riverside)/ }).allTextContents()).sort(), [
      'Franklin County Schools',
      'Jefferson Academy',
      'Madison SD',
      'Riverside 1',
    ]);
    await page.getByLabel('Source').selectOption({ label: 'Sync With API' });
    await rowsShown(table, 1);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Search customer status').fill('riverside');
    await rowsShown(table, 3);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await summary.getByRole('button', { name: /Held for approval/ }).click();
    await rowsShown(table, 1);
    assert.equal(await summary.getByRole('button', { name: /Held for approval/ }).getAttribute('aria-pressed'), 'true');

    // The held run is one click away.
    await table.getByRole('link', { name: '1 run to review' }).click();
    await page.waitForURL(new RegExp(`/customers/${held.id}/roster/runs/`));
    await visible(page.getByText('12 of 40 users would be deleted'));
  });

  it('reports an API pull in the API’s words, and a failed pull that read nothing says so (bug 4)', async () => {
    await page.goto(`${server.url}/customers/${api.id}/roster/runs/${failedPull}`);
    await visible(page.getByText('The sync failed: nothing was applied'));
    const body = (await page.locator('main').textContent()) ?? '';
    assert.match(body, /The roster is as it was before this API pull\./);
    assert.doesNotMatch(body, /upload|bundle/i);
    assert.match((await page.locator('.run-details').textContent()) ?? '', /OneRoster APIsis\.madison\.example: full pull/);
    assert.equal(await page.getByRole('link', { name: 'Upload another file' }).count(), 0, 'an API customer has no file to upload');
    await visible(page.getByRole('heading', { name: 'Nothing was read' }));
    assert.match((await page.locator('main').textContent()) ?? '', /This API pull failed before any row was read/);
    await screenshot(page, 'status-02-failed-pull');

    // While a pull reads, its progress names the API, not a bundle.
    const reading = await server.ctx.runs.create(operatorActor, api.id, { trigger: 'api', fileName: 'sis.madison.example: full pull', sizeBytes: 0, sha256: '', bundlePath: null, dryRun: false });
    await server.ctx.db.kysely.updateTable('roster_runs').set({ status: 'running', stage: 'reading', started_at: new Date().toISOString() }).where('id', '=', reading.runId).execute();
    await page.goto(`${server.url}/customers/${api.id}/roster/runs/${reading.runId}`);
    await visible(page.getByRole('status').getByText('Reading the OneRoster API…'));
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /bundle/i);
    await server.ctx.runs.fail(reading.runId, 'INTERRUPTED', 'Stopped by the test.');
  });

  it('names and orders a plan as people count (bug 8) and groups a note repeated on every row (bug 9)', async () => {
    // Twelve enrollments, as a SIS export that fills status and dateLastModified on every bulk row.
    const enrollments = Array.from({ length: 12 }, (_, n) => ({
      sourcedId: `e-${n + 1}`,
      status: 'active',
      dateLastModified: '2024-08-01T00:00:00.000Z',
      classSourcedId: 'cl-1',
      schoolSourcedId: 'org-s',
      userSourcedId: n % 2 ? 'u-s1' : 'u-s2',
      role: 'student',
    }));
    const preview = await importBundle(zip.id, district11({ 'enrollments.csv': table(HEADERS.enrollments, enrollments) }), true);
    assert.equal(preview.status, 'succeeded');
    await page.goto(`${server.url}/customers/${zip.id}/roster/runs/${preview.runId}`);
    await visible(page.getByText('Preview: nothing was applied'));
    await page.getByLabel('Record type').selectOption({ value: 'enrollments' });
    const plan = page.getByRole('table', { name: 'Planned changes' });
    // The creates (e-4 … e-12, e-1 … e-3 exist): named "person in class", e-9 before e-10.
    await rowsShown(plan, 9);
    const ids = await plan.locator('tbody tr td:nth-child(2) code').allTextContents();
    assert.deepEqual(ids, ['e-4', 'e-5', 'e-6', 'e-7', 'e-8', 'e-9', 'e-10', 'e-11', 'e-12']);
    const records = await plan.locator('tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(records.slice(0, 2), ['Sam One in Algebra P1e-4', 'Sue Two in Algebra P1e-5']);
    await screenshot(page, 'status-03-plan-names', { fullPage: true });

    // The run is green: `active` in a bulk file is a note, grouped into one finding of 12 rows.
    await page.getByRole('tab', { name: /Issues/ }).click();
    const issues = page.getByRole('table', { name: 'Issues' });
    await visible(issues);
    assert.equal(await issues.locator('tbody tr').count(), 1);
    assert.match((await issues.locator('tbody tr').textContent()) ?? '', /enrollments\.csv lines 2, 3, 4, 5, 6….*12.*row\.lifecycle_in_bulk.*\(12 rows, lines 2, 3, 4, 5, 6 and 7 more\)/);
    await screenshot(page, 'status-04-grouped-issues', { fullPage: true });
    await page.getByLabel('Every row').check();
    await rowsShown(issues, 12);
  });

  it('assign picker: a choice ends the search, the button names what is chosen, typing clears the error (bug 6)', async () => {
    const epub = await epub3({ title: 'Algebra Stories', author: 'Mara Quill' });
    const book = await server.ctx.content.upload(operatorActor, zip.id, Readable.from(fs.readFileSync(writeBookFile('algebra.epub', epub))), 'algebra.epub');
    await page.goto(`${server.url}/customers/${zip.id}/content/${book.id}`);
    const search = page.getByLabel('Assign to users or classes');
    await visible(search);
    // Assign with nothing chosen: an error; typing clears it.
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await visible(page.getByText('Choose at least one class or person.'));
    await search.fill('Alg');
    await page.getByText('Choose at least one class or person.').waitFor({ state: 'detached' });

    await page.getByRole('button', { name: /^Add Algebra P1/ }).click();
    assert.equal(await search.inputValue(), '', 'the search empties once a choice is made');
    assert.equal(await page.getByText('No matches.').count(), 0);
    assert.equal(await page.locator('input[name="targetSearch"]:focus').count(), 1, 'the search keeps the focus for the next choice');
    await visible(page.getByRole('button', { name: 'Assign to 1 class' }));
    await search.fill('Sam');
    await page.getByRole('button', { name: /^Add Sam One/ }).click();
    await search.fill('Sue');
    await page.getByRole('button', { name: /^Add Sue Two/ }).click();
    await visible(page.getByRole('button', { name: 'Assign to 1 class and 2 students' }));
    await screenshot(page, 'status-05-assign-picker');
    await page.getByRole('button', { name: 'Assign to 1 class and 2 students' }).click();
    await visible(page.getByText('Assigned: 3 new assignments.'));
  });
});
