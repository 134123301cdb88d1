/*
 * People in real Chromium against the real server: the Users tab's checkbox selection and bulk
 * actions (disable, enable, reset passwords shown once), setting one password with inline errors,
 * adding a teacher and an institute admin by hand (with "What an institute admin may do"), editing
 * a manual user, disabling from the user page, an institute admin who sees only their school and
 * is offered only what is theirs (no roster runs, uploads, notifications or audit; run names without links),
 * Restore's warning with "keep as a manual account" (bug 7), and the reader telling a deleted
 * student the roster removed them (bug 3). Screenshots: users-actions, add-user, reset-password.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import type { AnyRow } from '../../src/rostering/sync/engine.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { seedCustomer } from '../helpers/app.js';
import { arraySource } from '../helpers/array-source.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { orgRow, userRow } from '../helpers/roster-rows.js';

const visible = (l: Locator, timeout?: number) => l.waitFor({ state: 'visible', ...(timeout ? { timeout } : {}) });
const SUFFIX = '@people-e2e';
const south = [{ orgSourcedId: 'org-2', role: 'student' as const, roleType: 'primary' as const, beginDate: null, endDate: null }];

function roster(without: string[] = []): AnyRow[] {
  return [
    orgRow('org-1', { name: 'North School' }),
    orgRow('org-2', { name: 'South School' }),
    userRow('s1', { givenName: 'Ava', familyName: 'Archer', password: 'Roster-pass-1' }),
    userRow('s2', { givenName: 'Ben', familyName: 'Baker' }),
    userRow('s3', { givenName: 'Cleo', familyName: 'Cole', orgSourcedIds: ['org-2'], roles: south }),
    userRow('s4', { givenName: 'Dev', familyName: 'Dunn', orgSourcedIds: ['org-2'], roles: south, password: 'Roster-pass-4' }),
    userRow('t1', { givenName: 'Tara', familyName: 'Teach', role: 'teacher' }),
  ].filter((r) => !without.includes((r.row as { sourcedId: string }).sourcedId));
}

describe('People on the Users tab in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  const sync = async (rows: AnyRow[]) => {
    const run = await server.ctx.runs.create(operatorActor, customer.id, { trigger: 'cli', fileName: 'roster.zip', sizeBytes: 1, sha256: '', bundlePath: null, dryRun: false });
    const done = await server.ctx.runs.execute(run.runId, customer.id, arraySource(rows));
    assert.match(done.status, /^succeeded/);
    await server.ctx.runs.hashPasswords(customer.id);
  };
  const row = (name: string) => page.getByRole('row').filter({ hasText: name });
  const usersTab = async () => {
    await page.goto(`${server.url}/customers/${customer.id}/users`);
    await visible(page.getByRole('link', { name: 'Ava Archer' }));
  };

  before(async () => {
    server = await startConsoleServer();
    browser = await launchBrowser();
    customer = await seedCustomer(server.ctx, { profile: { name: 'People USD' }, rostering: { suffix: SUFFIX, syncFrequency: 'manual' } });
    await sync(roster());
    page = await newConsolePage(browser);
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('selects people on the page and disables, enables and resets their passwords in bulk', async () => {
    await usersTab();
    await visible(row('Ava Archer').getByText('From roster'));
    await page.getByLabel('Select Ava Archer').check();
    await page.getByLabel('Select Ben Baker').check();
    const bar = page.getByRole('region', { name: 'Actions on the selected users' });
    await visible(bar.getByText('2 selected'));
    await screenshot(page, 'people-01-selection', { docsName: 'users-actions.png' });
    await expectAccessible(page, 'users tab with selection bar');

    // Login cards for the selection: the dialog counts the two chosen people.
    await bar.getByRole('button', { name: 'Login cards' }).click();
    const cards = page.getByRole('dialog', { name: 'Print login cards: 2 selected users' });
    await visible(cards.getByText(/One card for each of 2 people/));
    await cards.getByRole('button', { name: 'Cancel' }).click();

    await bar.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await visible(page.getByText('2 users disabled.'));
    await visible(row('Ben Baker').getByText('Disabled', { exact: true }));

    await page.getByLabel('Select all users on this page').check();
    await visible(bar.getByText('5 selected')); // the five rostered people; not the signed-in admin
    await page.getByLabel('Select all users on this page').uncheck();
    await page.getByLabel('Select Ava Archer').check();
    await page.getByLabel('Select Ben Baker').check();
    await bar.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Enable' }).click();
    await visible(page.getByText('2 users enabled.'));

    await page.getByLabel('Select Ben Baker').check();
    await bar.getByRole('button', { name: 'Reset passwords' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset passwords' }).click();
    const issued = page.getByRole('dialog', { name: 'New password' });
    await visible(issued);
    const password = await issued.getByLabel(`Password for user.s2${SUFFIX}`, { exact: true }).inputValue();
    assert.match(password, /^\w{5}(-\w{5}){3}$/);
    await issued.getByRole('button', { name: 'I have copied it' }).click();
    await visible(row('Ben Baker').getByText('Password set here'));
    const signedIn = await server.ctx.accounts.login({ login: `user.s2${SUFFIX}`, password, ip: '127.0.0.1', userAgent: 'test' });
    assert.equal(signedIn.user.must_change_password, 1, 'the new password must be changed at the first sign-in');
  });

  it("sets one user's password with inline errors, and shows it set here", async () => {
    await usersTab();
    await page.getByRole('button', { name: 'Set a password for Ava Archer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Set a password for Ava Archer' });
    await visible(dialog.getByText(/wins over the roster's until the roster brings a different password/));
    await dialog.getByLabel('Type a password').check();
    await dialog.getByLabel('Password', { exact: true }).fill('short1');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await visible(dialog.getByText('Use at least 10 characters.'));
    assert.equal(await dialog.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
    await dialog.getByLabel('Password', { exact: true }).fill('Console-pass-42');
    await screenshot(page, 'people-02-reset-password', { docsName: 'reset-password.png' });
    await expectAccessible(page, 'set password dialog');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await visible(page.getByText('The password of Ava Archer was set; their sessions ended.'));
    await visible(row('Ava Archer').getByText('Password set here'));
  });

  it('adds a teacher and an institute admin by hand, and edits the teacher', async () => {
    await usersTab();
    await page.getByRole('button', { name: '+ Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a user' });
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await visible(dialog.getByText('Enter a given name.'));
    await visible(dialog.getByText('Enter the login they will sign in with.'));
    await dialog.getByLabel('Teacher').check();
    await dialog.getByLabel('Given name').fill('Maya');
    await dialog.getByLabel('Family name').fill('Hand');
    await dialog.getByLabel('Login').fill(`maya${SUFFIX}`);
    await dialog.getByLabel('North School').check();
    await dialog.getByRole('button', { name: 'Add user' }).click();
    const issued = page.getByRole('dialog', { name: 'New password' });
    await visible(issued);
    await issued.getByRole('button', { name: 'I have copied it' }).click();
    await visible(page.getByText('Maya Hand was added as a manual account: roster syncs never delete it.'));

    await page.getByRole('button', { name: '+ Add user' }).click();
    await dialog.getByLabel('Institute admin').check();
    await visible(dialog.getByRole('heading', { name: 'What an institute admin may do' }));
    await dialog.getByLabel('Given name').fill('Nora');
    await dialog.getByLabel('Family name').fill('North');
    await dialog.getByLabel('Login').fill(`nora${SUFFIX}`);
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await visible(dialog.getByText('Choose at least one school this institute admin looks after.'));
    await dialog.getByLabel('North School').check();
    await dialog.getByLabel('Password', { exact: true }).fill('Institute-pass-9');
    await dialog.getByLabel('Must change it at the first sign-in').uncheck();
    await screenshot(page, 'people-03-add-user', { docsName: 'add-user.png' });
    await expectAccessible(page, 'add user dialog');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await visible(page.getByText('Nora North was added as a manual account: roster syncs never delete it.'));

    await page.getByRole('link', { name: 'Maya Hand' }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Maya Hand' });
    await edit.getByLabel('Given name').fill('Maia');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await visible(page.getByRole('heading', { name: /Maia Hand/ }));
  });

  it('an institute admin sees only the people of their school, and is offered only what is theirs', async () => {
    const nora = await newConsolePage(browser);
    // Every answer the console got that refused her: none, since it offers and asks for nothing that is not hers.
    const refused: string[] = [];
    nora.on('response', (r) => {
      if (r.url().includes('/api/') && (r.status() === 403 || r.status() === 404)) refused.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
    await signInToConsole(nora, server.url, `nora${SUFFIX}`, 'Institute-pass-9');
    await nora.goto(`${server.url}/customers/${customer.id}/users`);
    await visible(nora.getByRole('link', { name: 'Ava Archer' }));
    assert.equal(await nora.getByRole('link', { name: 'Cleo Cole' }).count(), 0, 'no one of South School');
    // Grade reports are hers (her schools' students); roster runs, uploads, notifications and the audit log are the whole customer's.
    await visible(nora.getByRole('link', { name: 'Grade reports' }));
    await visible(nora.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Content' }));
    for (const name of ['Roster runs', 'Notifications', 'Data and privacy', 'Upload Roster File', 'Audit']) assert.equal(await nora.getByRole('link', { name }).count(), 0, `${name} is not offered`);

    // A person's page names the run that matched them, without a link to the run's report.
    await nora.getByRole('link', { name: 'Ava Archer' }).click();
    await visible(nora.getByRole('heading', { name: /Ava Archer/ }));
    await visible(nora.getByText(/^roster\.zip, /).first());
    assert.equal(await nora.getByRole('link', { name: /roster\.zip/ }).count(), 0, 'no link to a roster run');
    await visible(nora.getByRole('button', { name: 'Set password' }));

    // Her own page says what she may do, as the server applies it.
    await nora.goto(`${server.url}/customers/${customer.id}/users`);
    await nora.getByRole('link', { name: 'Nora North' }).click();
    const info = nora.getByRole('complementary', { name: 'What an institute admin may do' });
    await visible(info.getByText(/Anyone else answers “not found”, even in a class of their school\./));
    await visible(info.getByText(/its settings, roster runs and uploads, notifications, audit log and export\./));
    // Her own account (and any administrator's) is not hers to act on here: no actions offered.
    assert.equal(await nora.getByRole('button', { name: /^(Edit|Set password|Disable|Erase this person…)$/ }).count(), 0, 'no actions on her own account');
    await screenshot(nora, 'people-04-institute-admin', { fullPage: true });
    await expectAccessible(nora, "an institute admin's own page");

    // The account page offers no roster e-mails.
    await nora.goto(`${server.url}/account`);
    await visible(nora.getByRole('heading', { name: 'API tokens', exact: true }));
    assert.equal(await nora.getByRole('heading', { name: 'E-mail me when' }).count(), 0);
    assert.deepEqual(refused, [], 'the console asked for nothing it refuses her');
    await nora.close();
  });

  it('disables a user from their page; they cannot sign in until enabled', async () => {
    await usersTab();
    await page.getByRole('link', { name: 'Tara Teach' }).click();
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable user' }).click();
    await visible(page.getByText(/Tara Teach was disabled/));
    await expectAccessible(page, 'user page');
    await page.getByRole('button', { name: 'Enable' }).click();
    await visible(page.getByText('Tara Teach was enabled.'));
  });

  it('Restore warns that the next sync deletes a person still missing from the roster, and keeps them as manual (bug 7)', async () => {
    await sync(roster(['s3']));
    await usersTab();
    await page.getByLabel('Status').selectOption({ label: 'Deleted' });
    await page.getByRole('button', { name: 'Restore Cleo Cole' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore Cleo Cole?' });
    await visible(dialog.getByText('Unless the school adds them back, the next sync deletes them again.'));
    await expectAccessible(page, 'restore dialog');
    await dialog.getByLabel(/Keep as a manual \(protected\) account/).check();
    await dialog.getByRole('button', { name: 'Restore user' }).click();
    await visible(page.getByText('Cleo Cole was restored with their class enrollments, as a manual account.'));
    await sync(roster(['s3']));
    const cleo = await server.ctx.db.kysely.selectFrom('users').select(['status', 'source']).where('customer_id', '=', customer.id).where('sourced_id', '=', 's3').executeTakeFirstOrThrow();
    assert.deepEqual(cleo, { status: 'active', source: 'manual' });
  });

  it('the reader tells a student the roster removed that their account and whom to ask (bug 3)', async () => {
    await sync(roster(['s3', 's4']));
    const reader = await newConsolePage(browser);
    await reader.goto(`${server.url}/reader/login`);
    await reader.getByLabel('Username').fill(`user.s4${SUFFIX}`);
    await reader.getByLabel('Password', { exact: true }).fill('Roster-pass-4');
    await reader.getByRole('button', { name: 'Sign in' }).click();
    await visible(reader.getByText(/removed by your school's roster\. Ask your school's administrator or your teacher/));
    assert.equal(await reader.getByText('This account is disabled').count(), 0);
    await reader.close();
  });
});
