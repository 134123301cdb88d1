/*
 * The main flows with the keyboard only, in real Chromium against the real server: no mouse
 * clicks, only Tab, Shift+Tab, Enter, Space, Escape and the arrow keys. An enterprise admin adds a
 * customer; a customer admin uploads a roster, assigns a title to a class and approves a held
 * run; a student opens a book from the shelf and pages with the arrow keys. Every stop the Tab key
 * makes must show a visible focus outline. (The operating system's file dialog is the one thing a
 * page cannot drive: the test tabs to "Choose file…" and hands the file to the input.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TestClient, seedCustomer } from '../helpers/app.js';
import { fileForm, pdf } from '../helpers/books.js';
import { browserSkipReason, launchBrowser, screenshot, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { HEADERS, district11, table, writeBundle } from '../helpers/bundles.js';

const visible = (l: Locator, timeout?: number) => l.waitFor({ state: 'visible', ...(timeout ? { timeout } : {}) });
const STUDENT_PASSWORD = 'Reader-pass-42';

/** What the focused element is and how its focus is drawn (the page has no DOM types here). */
const FOCUS_PROBE = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  return { what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 40) + '"',
    outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), outlineColor: s.outlineColor };
})()`;

/** Fails unless something has focus and shows it with a solid outline at least 2px wide. */
async function expectFocusVisible(page: Page): Promise<void> {
  const focus = (await page.evaluate(FOCUS_PROBE)) as { what: string; outlineStyle: string; outlineWidth: number; outlineColor: string } | null;
  assert.ok(focus, 'something has focus');
  assert.ok(focus.outlineStyle !== 'none' && focus.outlineWidth >= 2, `focus is visible on ${focus.what} (outline ${focus.outlineStyle} ${focus.outlineWidth}px ${focus.outlineColor})`);
}

/** Presses Tab (Shift+Tab with `back`) until `target` has focus, checking the focus is visible at every stop. */
async function tabTo(page: Page, target: Locator, { back = false, max = 80 } = {}): Promise<void> {
  await target.waitFor({ state: 'visible' });
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    await expectFocusVisible(page);
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
  }
  throw new Error(`${max} presses of ${back ? 'Shift+Tab' : 'Tab'} did not reach ${String(target)}`);
}

/**
 * Waits for an in-app navigation to `url` to finish: the console then moves focus to the new page's
 * main content, and keys pressed before that would land on the page being left.
 */
async function arrive(page: Page, url: string | RegExp): Promise<void> {
  await page.waitForURL(url);
  // A function, not a string: the console's CSP forbids the eval a string predicate needs.
  await page.waitForFunction(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id === 'main');
}

/** Tabs to a text field and types into it. */
async function typeInto(page: Page, field: Locator, text: string): Promise<void> {
  await tabTo(page, field);
  await page.keyboard.type(text);
}

describe('keyboard-only flows in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let browser: Browser;
  let customer: Awaited<ReturnType<typeof seedCustomer>>;
  let admin: Page;
  const contexts: BrowserContext[] = [];
  const bookTitle = 'Rivers of the World';

  /** A fresh browser profile, desktop-sized. */
  const device = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return page;
  };

  /** Signs in at a sign-in page with the keyboard: Tab to each field, type, Enter. */
  const signIn = async (page: Page, url: string, loginLabel: string, login: string, password: string) => {
    await page.goto(url);
    await typeInto(page, page.getByLabel(loginLabel), login);
    await typeInto(page, page.getByLabel('Password', { exact: true }), password);
    await page.keyboard.press('Enter');
  };

  /** Users → Upload Roster File → Choose file… (the file set on the input) → Upload and sync, by keyboard. */
  const uploadRoster = async (zip: string) => {
    const base = `${server.url}/customers/${customer.id}`;
    await tabTo(admin, admin.getByRole('link', { name: 'Upload Roster File' }));
    await admin.keyboard.press('Enter');
    await arrive(admin, `${base}/roster/upload`);
    await tabTo(admin, admin.getByRole('button', { name: /Choose file/ }));
    // The system's file dialog is outside the page: the file is handed to the input directly.
    await admin.locator('input[type="file"][name="file"]').setInputFiles(zip);
    await tabTo(admin, admin.getByRole('button', { name: 'Upload and sync' }));
    await admin.keyboard.press('Enter');
    await arrive(admin, new RegExp(`${base}/roster/runs/[^/]+$`));
  };

  before(async () => {
    server = await startConsoleServer();
    await server.ctx.jobs.start({ concurrency: 1 });
    customer = await seedCustomer(server.ctx, {
      profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' },
      rostering: { syncType: 'zip', syncFrequency: 'manual', matchWith: 'sourcedId', suffix: '@lincoln' },
    });
    // A later bundle without three of the four users is held for approval.
    await server.ctx.db.kysely.updateTable('rostering_configs').set({ deletion_threshold_min: 1 }).where('customer_id', '=', customer.id).execute();
    const api = await new TestClient(server.app).login(customer.adminEmail, customer.adminPassword);
    const form = fileForm(pdf({ title: bookTitle, author: 'Ana Flow', pages: 3 }), 'rivers.pdf');
    const uploaded = await api.request('POST', `/api/customers/${customer.id}/content`, form.body, form.headers);
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
    browser = await launchBrowser();
    admin = await device();
  });

  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
  });

  it('an enterprise admin adds a customer', async () => {
    const page = await device();
    await signIn(page, `${server.url}/login`, 'Login or email', ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.waitForURL(`${server.url}/customers`);

    // The skip link is the first stop, and it leads to the page's content.
    await page.keyboard.press('Tab');
    await expectFocusVisible(page);
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate('document.activeElement.id'), 'main');

    await tabTo(page, page.getByRole('link', { name: '+ Add Customer' }));
    await screenshot(page, 'keyboard-01-focus', { docsName: 'keyboard-focus.png' });
    await page.keyboard.press('Enter');
    // After the route change focus starts at the new page's content, not on the link left behind.
    await arrive(page, `${server.url}/customers/new`);

    await typeInto(page, page.locator('[name="profile.name"]'), 'Harbor City Schools');
    await typeInto(page, page.locator('[name="profile.code"]'), 'harbor-city');
    await typeInto(page, page.locator('[name="administrator.firstName"]'), 'Hal');
    await typeInto(page, page.locator('[name="administrator.lastName"]'), 'Reed');
    await typeInto(page, page.locator('[name="administrator.email"]'), 'hal.reed@harbor.example');
    await typeInto(page, page.locator('[name="administrator.password"]'), 'Harbor-admin-42');
    await typeInto(page, page.locator('[name="address.line1"]'), '9 Quay Road');
    await typeInto(page, page.locator('[name="address.city"]'), 'Harbor City');
    await typeInto(page, page.locator('[name="address.country"]'), 'US');
    // Radio groups move with the arrow keys: OneRoster, then back to None.
    await tabTo(page, page.getByRole('radio', { name: 'None' }));
    await page.keyboard.press('ArrowRight');
    assert.ok(await page.getByRole('radio', { name: 'OneRoster' }).isChecked(), 'ArrowRight chooses the next option');
    await visible(page.getByRole('group', { name: 'Sync Type' }));
    await page.keyboard.press('ArrowLeft');
    assert.ok(await page.getByRole('radio', { name: 'None' }).isChecked(), 'ArrowLeft goes back');
    await tabTo(page, page.getByLabel('I accept the Privacy Policy and Terms of Service'));
    await page.keyboard.press('Space');
    assert.ok(await page.getByLabel('I accept the Privacy Policy and Terms of Service').isChecked());
    await tabTo(page, page.getByRole('button', { name: 'Add', exact: true }));
    await page.keyboard.press('Enter');

    // The one-time secret dialog takes focus, and Escape does not dismiss it (the secret would be lost).
    const dialog = page.getByRole('dialog', { name: 'Harbor City Schools was added' });
    await visible(dialog);
    assert.ok(await dialog.evaluate((d) => d.contains(d.ownerDocument.activeElement)), 'focus is inside the dialog');
    await page.keyboard.press('Escape');
    assert.ok(await dialog.isVisible(), 'Escape keeps a one-time secret dialog open');
    await tabTo(page, dialog.getByRole('button', { name: /go to the customer/ }));
    await page.keyboard.press('Enter');
    await arrive(page, /\/customers\/[0-9a-f-]{36}$/);
    await visible(page.getByRole('heading', { name: /Harbor City Schools/, level: 1 }));
  });

  it('a customer admin opens Account from the menu and uploads a roster', async () => {
    const base = `${server.url}/customers/${customer.id}`;
    await signIn(admin, `${server.url}/login`, 'Login or email', customer.adminEmail, customer.adminPassword);
    await admin.waitForURL(`${base}/users`);

    // Tabs: the arrow keys switch between Users and Class (each has its address) and focus stays on the tab.
    await tabTo(admin, admin.getByRole('tab', { name: 'Users' }));
    await admin.keyboard.press('ArrowRight');
    await admin.waitForURL(`${base}/classes`);
    const classTab = admin.getByRole('tab', { name: 'Class' });
    assert.equal(await classTab.getAttribute('aria-selected'), 'true');
    assert.ok(await classTab.evaluate((t) => t === t.ownerDocument.activeElement), 'focus stays on the selected tab');
    await expectFocusVisible(admin);
    await admin.keyboard.press('ArrowLeft');
    await admin.waitForURL(`${base}/users`);
    assert.ok(await admin.getByRole('tab', { name: 'Users' }).evaluate((t) => t === t.ownerDocument.activeElement), 'focus follows back to Users');

    // The account menu: Enter opens it on its first item, Escape closes it and returns to the button.
    const accountButton = admin.locator('.account-button');
    await tabTo(admin, accountButton, { back: true });
    await admin.keyboard.press('Enter');
    await visible(admin.getByRole('menu', { name: 'Account' }));
    assert.equal(await admin.evaluate('document.activeElement.textContent'), 'Account');
    await admin.keyboard.press('Escape');
    assert.equal(await admin.getByRole('menu').count(), 0);
    assert.ok(await accountButton.evaluate((b) => b === b.ownerDocument.activeElement), 'focus returns to the account button');
    await admin.keyboard.press('Enter');
    await admin.keyboard.press('Enter');
    await arrive(admin, `${server.url}/account`);
    await visible(admin.getByRole('heading', { name: 'Account', level: 1 }));
    await expectAccessible(admin, 'account and API tokens');
    await tabTo(admin, admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }), { back: true });
    await admin.keyboard.press('Enter');
    await arrive(admin, `${base}/users`);

    // The bundle's two students have passwords (the last column of users.csv), for the reader.
    const files = district11();
    files['users.csv'] = files['users.csv']!.split('\n')
      .map((line) => (/^u-s[12],/.test(line) ? `${line}${STUDENT_PASSWORD}` : line))
      .join('\n');
    await uploadRoster(await writeBundle(files));
    await visible(admin.getByText('The roster was applied'), 30_000);
    await visible(admin.getByText('2 roster passwords are set up.'), 30_000);
  });

  it('a customer admin assigns a title to a class', async () => {
    await tabTo(admin, admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Content' }), { back: true });
    await admin.keyboard.press('Enter');
    await arrive(admin, `${server.url}/customers/${customer.id}/content`);
    await tabTo(admin, admin.getByRole('link', { name: bookTitle }));
    await admin.keyboard.press('Enter');
    await arrive(admin, new RegExp(`/customers/${customer.id}/content/[^/]+$`));
    await visible(admin.getByRole('heading', { name: bookTitle, level: 1 }));
    await typeInto(admin, admin.getByLabel('Assign to users or classes'), 'Algebra');
    await tabTo(admin, admin.getByRole('button', { name: /^Add Algebra P1/ }));
    await admin.keyboard.press('Enter');
    await visible(admin.getByRole('list', { name: 'Chosen' }).getByText('Algebra P1'));
    await tabTo(admin, admin.getByRole('button', { name: /^Assign to/ }));
    await admin.keyboard.press('Enter');
    await visible(admin.getByText('Assigned: 1 new assignment.'));
    await visible(admin.getByRole('table', { name: 'Classes this title is assigned to' }).getByRole('link', { name: 'Algebra P1' }));
  });

  it('a student opens the book from the bookshelf and pages with the arrow keys', async () => {
    const page = await device();
    await signIn(page, `${server.url}/reader/login`, 'Username', 'sone@lincoln', STUDENT_PASSWORD);
    await page.waitForURL(`${server.url}/reader`);
    await tabTo(page, page.getByRole('link', { name: new RegExp(bookTitle) }));
    await page.keyboard.press('Enter');
    await visible(page.getByRole('heading', { name: bookTitle, level: 1 }));
    const location = page.locator('.reading-location');
    await visible(location.getByText(/Page 1 of 3/), 30_000);
    await page.keyboard.press('ArrowRight');
    await visible(location.getByText(/Page 2 of 3/));
    await page.keyboard.press('ArrowLeft');
    await visible(location.getByText(/Page 1 of 3/));
    await tabTo(page, page.getByRole('button', { name: 'Next page' }));
    await page.keyboard.press('Space');
    await visible(location.getByText(/Page 2 of 3/));
  });

  it('a customer admin approves a held run; Escape closes the confirmation and focus returns to its button', async () => {
    const onlyTeacher = district11({
      'users.csv': table(HEADERS.users11, [
        { sourcedId: 'u-t', enabledUser: 'true', orgSourcedIds: 'org-s', role: 'teacher', username: 'tpark', givenName: 'Ada', familyName: 'Park', email: 'ada@x.example' },
      ]),
      'enrollments.csv': table(HEADERS.enrollments, [{ sourcedId: 'e-1', classSourcedId: 'cl-1', schoolSourcedId: 'org-s', userSourcedId: 'u-t', role: 'teacher', primary: 'true' }]),
    });
    await tabTo(admin, admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }), { back: true });
    await admin.keyboard.press('Enter');
    await arrive(admin, `${server.url}/customers/${customer.id}/users`);
    await uploadRoster(await writeBundle(onlyTeacher));
    const approval = admin.getByRole('region', { name: 'This sync needs your approval' });
    await visible(approval, 30_000);

    const approve = approval.getByRole('button', { name: 'Approve and apply…' });
    await tabTo(admin, approve);
    await admin.keyboard.press('Enter');
    const confirm = admin.getByRole('dialog', { name: 'Apply this sync, deletions included?' });
    await visible(confirm);
    await expectFocusVisible(admin);
    assert.ok(await confirm.getByRole('button', { name: 'Approve and apply' }).evaluate((b) => b === b.ownerDocument.activeElement), 'focus starts on the confirming button');
    await admin.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    assert.ok(await approve.evaluate((b) => b === b.ownerDocument.activeElement), 'focus returns to the button that opened the dialog');

    await admin.keyboard.press('Enter');
    await visible(confirm);
    // Tab stays inside the modal dialog: Cancel and the confirming button, round and round.
    await admin.keyboard.press('Shift+Tab');
    await expectFocusVisible(admin);
    assert.equal(await admin.evaluate('document.activeElement.textContent'), 'Cancel');
    await admin.keyboard.press('Tab');
    await admin.keyboard.press('Enter');
    await visible(admin.getByText('Approved: the plan was applied.'), 30_000);
  });
});
