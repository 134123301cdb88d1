/*
 * Grade reports end to end, in real Chromium against the real server: a customer admin opens the
 * LTI Basic Outcomes calls from Users, reads the rows (student link, title, score, status, the full
 * last error on hover), filters by status with counted chips, searches by student and by title,
 * pages, and follows a student to their page; a customer with no reports is told what the page is
 * for; an LTI 1.3 score is marked as one. The calls are seeded through the repository, as the job
 * engine leaves them. Screenshot: lti-outcomes.png.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { uuidv7 } from '../../src/db/uuid.js';
import { OutcomeRepository, type OutcomeCall } from '../../src/lti/outcome-repository.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { seedCustomer } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { insertBook } from '../helpers/lti-fixtures.js';
import { userRow } from '../helpers/roster-rows.js';
import { waitFor } from '../helpers/wait.js';
import { importRoster, schoolRoster } from '../lti/lti-server.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });

const STUDENTS = [
  ['s-maya', 'Maya', 'Chen'],
  ['s-jonah', 'Jonah', 'Okafor'],
  ['s-priya', 'Priya', 'Raman'],
  ['s-leo', 'Leo', 'Martins'],
  ['s-ava', 'Ava', 'Schultz'],
] as const;
const TITLES = ['The Lighthouse Keeper', 'Wonder', 'Hatchet', 'Charlotte’s Web'] as const;
const CLOSED = 'LMS answered failure: The assignment is closed for grading and no longer accepts scores (HTTP 200)';

type Seed = { student: number; target: string; score: number } & Partial<Pick<OutcomeCall, 'status' | 'attempts' | 'last_error'>>;

describe('Grade reports in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  const userIds: string[] = [];
  const targets: Record<string, { type: 'book' | 'collection'; id: string }> = {};

  before(async () => {
    server = await startConsoleServer();
    customer = await seedCustomer(server.ctx, {
      profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' },
      rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: '@lincoln' },
    });
    const db = server.ctx.db.kysely;
    await importRoster(server.ctx, customer.id, schoolRoster(STUDENTS.map(([id, givenName, familyName]) => userRow(id, { username: id, identifier: id, givenName, familyName }))));
    for (const [sourcedId] of STUDENTS)
      userIds.push((await db.selectFrom('users').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id);
    const now = new Date().toISOString();
    for (const title of TITLES) {
      const id = await insertBook(db, customer.id, title, { author: 'A', size_bytes: 1 });
      targets[title] = { type: 'book', id };
    }
    const summer = crypto.randomUUID();
    targets['Summer Reading'] = { type: 'collection', id: summer };
    await db.insertInto('collections').values({ id: summer, customer_id: customer.id, name: 'Summer Reading', description: '', created_at: now, updated_at: now }).execute();
    // A collection deleted since its link was launched: the row says so instead of a name.
    targets['gone'] = { type: 'collection', id: crypto.randomUUID() };

    // Twenty older reports that went through, then the recent ones in every state; oldest first,
    // so the time-ordered ids and the timestamps agree.
    const seeds: Seed[] = [
      ...Array.from({ length: 20 }, (_, i): Seed => ({ student: i % 5, target: TITLES[i % 4]!, score: ((i % 9) + 1) / 10 })),
      { student: 2, target: 'Hatchet', score: 0.3, status: 'failed', attempts: 5, last_error: CLOSED },
      { student: 3, target: 'Summer Reading', score: 0.45 },
      { student: 0, target: 'Wonder', score: 0.2, status: 'superseded', attempts: 0 },
      { student: 1, target: 'The Lighthouse Keeper', score: 0.6, status: 'retrying', attempts: 2, last_error: 'HTTP 502 without an imsx_POXEnvelopeResponse' },
      { student: 0, target: 'Wonder', score: 0.3 },
      { student: 4, target: 'gone', score: 0.5, status: 'failed', attempts: 5, last_error: 'LMS answered failure: Unknown result sourcedId (HTTP 200)' },
      { student: 0, target: 'The Lighthouse Keeper', score: 1 },
      { student: 1, target: 'Hatchet', score: 0.1, status: 'queued', attempts: 0 },
    ];
    const repo = new OutcomeRepository(db);
    const start = Date.now() - seeds.length * 47 * 60_000;
    for (const [n, s] of seeds.entries()) {
      const userId = userIds[s.student]!;
      const target = targets[s.target]!;
      const link = `${s.student}:${s.target}`;
      const createdAt = new Date(start + n * 47 * 60_000).toISOString();
      const status = s.status ?? 'succeeded';
      const updatedAt = new Date(Date.parse(createdAt) + (status === 'queued' ? 0 : (s.attempts ?? 1) * 40_000)).toISOString();
      await repo.saveBinding({
        id: crypto.randomUUID(),
        customer_id: customer.id,
        user_id: userId,
        consumer_guid: 'canvas',
        resource_link_id: link,
        target_type: target.type,
        target_id: target.id,
        service_url: 'https://lms.lincoln.example/grade_passback',
        result_sourcedid: link,
        consumer_key: 'k',
        reported_score: s.score,
        created_at: createdAt,
        updated_at: createdAt,
      });
      const binding = await db
        .selectFrom('lti_outcome_bindings')
        .select('id')
        .where('customer_id', '=', customer.id)
        .where('user_id', '=', userId)
        .where('resource_link_id', '=', link)
        .executeTakeFirstOrThrow();
      await repo.insertCall({
        id: uuidv7(),
        customer_id: customer.id,
        binding_id: binding.id,
        score: s.score,
        status,
        attempts: s.attempts ?? 1,
        last_error: s.last_error ?? '',
        created_at: createdAt,
        updated_at: updatedAt,
      });
    }
    browser = await launchBrowser();
    page = await newConsolePage(browser);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const table = () => page.getByRole('table', { name: 'Grade reports, newest first' });
  const bodyRows = () => table().locator('tbody tr');
  /** The cell texts of every row on the page, once the table shows `n` rows and the list is not loading. */
  const rowsWhen = (n: number) =>
    waitFor(async () => {
      if ((await page.locator('.table-wrap[aria-busy="true"]').count()) > 0) return null;
      const rows = await bodyRows().all();
      if (rows.length !== n) return null;
      return Promise.all(rows.map((r) => r.getByRole('cell').allInnerTexts()));
    }, `${n} grade report rows`);

  it('lists the reports from Users, filters by status with counts, searches, pages and links to the student', async () => {
    const base = `${server.url}/customers/${customer.id}`;
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword, `${base}/users`);
    await page.getByRole('link', { name: 'Grade reports' }).click();
    await page.waitForURL(`${base}/lti/outcomes`);
    await visible(page.getByRole('heading', { name: 'Grade reports', level: 1 }));

    // Newest first, a page of 25: when, student, title, score, status, attempts, last error.
    const rows = await rowsWhen(25);
    assert.deepEqual(rows[0]!.slice(1), ['Jonah Okafor', 'Hatchet', '10%', 'Queued', '0', '—']);
    assert.deepEqual(rows[1]!.slice(1), ['Maya Chen', 'The Lighthouse Keeper', '100%', 'Sent', '1', '—']);
    assert.deepEqual(rows[2]!.slice(1, 5), ['Ava Schultz', 'Removed collection', '50%', 'Failed']);
    assert.deepEqual(rows[4]!.slice(1, 5), ['Jonah Okafor', 'The Lighthouse Keeper', '60%', 'Retrying']);
    assert.deepEqual(rows[6]!.slice(1, 3), ['Leo Martins', 'Summer Reading\nCollection']);
    for (const [label, count] of [
      ['All', 28],
      ['Failed', 2],
      ['Retrying', 1],
      ['Queued', 1],
      ['Sent', 23],
      ['Superseded', 1],
    ] as const) {
      await visible(page.getByRole('radio', { name: `${label} (${count})` }));
    }
    // A long error is cut short in the cell; the whole of it is in the title.
    const error = table().locator('.outcome-error').filter({ hasText: 'closed for grading' });
    assert.equal(await error.getAttribute('title'), CLOSED);
    assert.ok(await error.evaluate((el) => el.scrollWidth > el.clientWidth), 'the long error is truncated');
    await screenshot(page, 'lti-outcomes-01-list', { docsName: 'lti-outcomes.png' });
    await expectAccessible(page, 'lti-outcomes-01-list');

    // The Failed chip keeps the two failures; the counts stay those of every status.
    await page.getByRole('radio', { name: 'Failed (2)' }).check();
    const failed = await rowsWhen(2);
    assert.deepEqual(
      failed.map((r) => [r[1], r[2], r[4]]),
      [
        ['Ava Schultz', 'Removed collection', 'Failed'],
        ['Priya Raman', 'Hatchet', 'Failed'],
      ],
    );
    await visible(page.getByRole('radio', { name: 'All (28)' }));
    await visible(page.getByText('Showing 1–2 of 2'));

    // Searching a student's name within the failed ones finds none; cleared, across every status.
    await page.getByRole('searchbox', { name: /Search/ }).fill('maya');
    await visible(page.getByRole('heading', { name: 'No grade reports match' }));
    await screenshot(page, 'lti-outcomes-02-no-match');
    await expectAccessible(page, 'lti-outcomes-02-no-match');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await rowsWhen(25);
    assert.equal(await page.getByRole('searchbox', { name: /Search/ }).inputValue(), '');
    assert.ok(await page.getByRole('radio', { name: 'All (28)' }).isChecked());
    await page.getByRole('searchbox', { name: /Search/ }).fill('maya');
    const maya = await rowsWhen(7);
    assert.ok(
      maya.every((r) => r[1] === 'Maya Chen'),
      JSON.stringify(maya),
    );
    await visible(page.getByRole('radio', { name: 'Sent (6)' }));
    await visible(page.getByRole('radio', { name: 'Superseded (1)' }));
    await visible(page.getByRole('radio', { name: 'Failed (0)' }));

    // And a title, collections included.
    await page.getByRole('searchbox', { name: /Search/ }).fill('  SUMMER ');
    const summer = await rowsWhen(1);
    assert.deepEqual(summer[0]!.slice(1, 5), ['Leo Martins', 'Summer Reading\nCollection', '45%', 'Sent']);

    // Paging through all of them.
    await page.getByRole('searchbox', { name: /Search/ }).fill('');
    await rowsWhen(25);
    await page.getByRole('button', { name: 'Next →' }).click();
    await rowsWhen(3);
    await visible(page.getByText('Showing 26–28 of 28'));

    // The student's name opens their page.
    await page.getByRole('button', { name: '← Previous' }).click();
    await rowsWhen(25);
    await table().getByRole('link', { name: 'Maya Chen' }).first().click();
    await page.waitForURL(`${base}/users/${userIds[0]}`);
    await visible(page.getByRole('heading', { name: /Maya Chen/, level: 1 }));
  });

  it('marks an LTI 1.3 score (AGS) in the title cell, with the line item host on hover; 1.1 reports stay unmarked', async () => {
    const db = server.ctx.db.kysely;
    const repo = new OutcomeRepository(db);
    const now = new Date().toISOString();
    const bindingId = crypto.randomUUID();
    await repo.saveBinding({
      id: bindingId,
      customer_id: customer.id,
      user_id: userIds[4]!,
      consumer_guid: 'lti13:platform:deployment',
      resource_link_id: 'link-13',
      target_type: 'book',
      target_id: targets['Wonder']!.id,
      service_url: '',
      result_sourcedid: '',
      consumer_key: '',
      reported_score: 0.4,
      created_at: now,
      updated_at: now,
      lti_version: '1.3',
      line_item_url: 'https://lincoln.instructure.example/api/lti/courses/7/line_items/3',
      lti_user_id: 'sub-ava',
    });
    await repo.insertCall({ id: uuidv7(), customer_id: customer.id, binding_id: bindingId, score: 0.4, status: 'succeeded', attempts: 1, last_error: '', created_at: now, updated_at: now });
    await page.goto(`${server.url}/customers/${customer.id}/lti/outcomes`);
    await page.getByRole('searchbox', { name: /Search/ }).fill('ava');
    const rows = await rowsWhen(6);
    assert.deepEqual(rows[0]!.slice(1, 5), ['Ava Schultz', 'Wonder\nLTI 1.3', '40%', 'Sent']);
    assert.ok(
      rows.slice(1).every((r) => !r[2]!.includes('LTI 1.3')),
      JSON.stringify(rows),
    );
    assert.equal(await table().locator('.outcome-version').getAttribute('title'), 'An LTI 1.3 score (Assignment and Grade Services) to lincoln.instructure.example');
  });

  it('tells a customer without reports what the page is for', async () => {
    const empty = await seedCustomer(server.ctx, { rostering: { syncType: 'zip', syncFrequency: 'manual' } });
    const other = await newConsolePage(browser);
    try {
      await signInToConsole(other, server.url, empty.adminEmail, empty.adminPassword);
      await other.goto(`${server.url}/customers/${empty.id}/lti/outcomes`);
      await visible(other.getByRole('heading', { name: 'No grade reports yet' }));
      await visible(other.getByText(/Grades Lectern reports to your LMS when students read titles launched from an LMS assignment/));
      assert.equal(await other.getByRole('searchbox').count(), 0, 'nothing to search or filter');
      await screenshot(other, 'lti-outcomes-03-empty');
      await expectAccessible(other, 'lti-outcomes-03-empty');
      // Another customer's reports are not there to be seen.
      await other.goto(`${server.url}/customers/${customer.id}/lti/outcomes`);
      await visible(other.getByRole('alert'));
      assert.equal(await other.getByRole('table').count(), 0);
    } finally {
      await other.close();
    }
  });
});
