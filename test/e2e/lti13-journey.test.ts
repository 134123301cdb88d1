/*
 * An LTI 1.3 customer end to end, in real Chromium against the real server and the test LMS
 * (test/helpers/lti13-platform.ts): the enterprise admin moves a rostered school to LTI 1.3 and mints
 * a registration URL; the LMS admin pastes it, and the LMS registers Lectern by Dynamic Registration;
 * a teacher adds a title to the course with Deep Linking (the picker), and the LMS receives a response
 * that verifies against Lectern's JWKS; a student opens that link, lands in the book matched to their
 * rostered account, reads, and the progress reaches the LMS as an AGS score sent with a valid bearer
 * token. Screenshots: lti13-registered.png, lti13-picker.png, lti13-student-book.png for the README.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser, Locator, Page } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/app.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { DL, LTI, Lti13Platform, ROLES, type Member } from '../helpers/lti13-platform.js';
import { waitFor } from '../helpers/wait.js';
import { setUpSchool, type School } from '../reader/school.js';

const visible = (l: Locator) => l.waitFor({ state: 'visible' });
// Generous: epub.js unzips and paginates in the page, and the job engine sends the score.
const until = <T>(check: () => T | Promise<T>, what: string) => waitFor(check, what, 30_000);

const member = (userId: string, sourcedId: string, given: string, family: string, roles: string[]): Member => ({
  user_id: userId,
  status: 'Active',
  name: `${given} ${family}`,
  given_name: given,
  family_name: family,
  email: `${given.toLowerCase()}@lms.example`,
  lis_person_sourcedid: sourcedId,
  roles,
});
// The school's rostered teacher and Algebra student, as the LMS knows them (sourcedIds from the SIS).
const TEACHER = member('lms-teacher-7', 'u-t', 'Ada', 'Park', [ROLES.instructor, ROLES.faculty]);
const STUDENT = member('lms-student-9', 'u-alg', 'Sam', 'One', [ROLES.learner, ROLES.student]);

describe('an LTI 1.3 customer from registration to grade passback, in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let lms: Lti13Platform;
  let browser: Browser;
  let page: Page;
  let school: School;
  let clientId: string;
  let addedItem: Record<string, unknown>;
  const errors: string[] = [];

  before(async () => {
    server = await startConsoleServer();
    // The app's own queue runs the roster upload, and later sends what the reader's progress hook queues.
    await server.ctx.jobs.start({ concurrency: 1 });
    school = await setUpSchool(server.ctx, server.app, '@lincoln');
    await server.ctx.customers.update(operatorActor, school.customerId, { rostering: { matchWith: 'sourcedId' } });
    lms = await Lti13Platform.start({ toolJwksUrl: `${server.url}/lti/1.3/jwks`, members: [TEACHER, STUDENT] });
    browser = await launchBrowser();
    page = await newConsolePage(browser);
    page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
  });
  after(async () => {
    await browser?.close();
    await lms?.close();
    await server?.close();
  });

  it('the LMS registers Lectern from the registration URL the console gives (Dynamic Registration)', async () => {
    await signInToConsole(page, server.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.goto(`${server.url}/customers/${school.customerId}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.locator('[name="lti.version"]').selectOption('1.3');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved.').waitFor();
    await page.getByRole('button', { name: 'New registration URL' }).click();
    const registrationUrl = await page.locator('[name="lti.tool.registrationUrl"]').inputValue();

    // The LMS admin pastes it; the LMS opens it with its configuration and a registration token.
    await page.goto(lms.registrationUrl(registrationUrl));
    await visible(page.getByRole('heading', { name: 'Lectern is registered' }));
    await screenshot(page, 'lti13-journey-01-registered', { docsName: 'lti13-registered.png' });
    await expectAccessible(page, 'lti13-journey-01-registered');
    assert.equal(lms.registrations.length, 1);
    assert.equal(lms.registrations[0]!.status, 200, lms.registrations[0]!.problem);
    clientId = lms.registrations[0]!.client!.clientId;

    const stored = await server.ctx.customers.get(operatorActor, school.customerId);
    assert.equal(stored.lti.version, '1.3');
    assert.deepEqual(
      stored.lti.platforms.map((p) => [p.issuer, p.clientId, p.deploymentIds]),
      [[lms.issuer, clientId, lms.registrations[0]!.client!.deploymentIds]],
    );
    // The same URL does not register twice.
    await page.goto(lms.registrationUrl(registrationUrl));
    assert.equal(lms.registrations.length, 1, 'a used registration URL reaches no LMS');
  });

  it('a teacher adds a title to the course with the picker; the LMS gets a response signed by a key in JWKS', async () => {
    const teacher = await newConsolePage(browser);
    await teacher.goto(
      lms.loginInitiation(`${server.url}/lti/1.3/login`, {
        clientId,
        userId: TEACHER.user_id,
        messageType: 'LtiDeepLinkingRequest',
        deepLinking: { acceptMultiple: true, data: 'course-101-module-2', acceptLineItem: true },
      }).url,
    );
    await visible(teacher.getByRole('heading', { name: 'Add from Lectern' }));
    await teacher.getByLabel('Search your library').fill('Algebra');
    await teacher.getByRole('button', { name: 'Search' }).click();
    const card = teacher.locator('label.card', { hasText: school.books.algebra.title });
    await visible(card);
    await card.click();
    await screenshot(teacher, 'lti13-journey-02-picker', { docsName: 'lti13-picker.png' });
    await expectAccessible(teacher, 'lti13-journey-02-picker');
    await teacher.getByRole('button', { name: 'Add to course' }).click();
    await until(() => lms.deepLinkReturns.length === 1 || null, 'the deep linking response at the LMS');
    await teacher.close();

    const returned = lms.deepLinkReturns[0]!;
    assert.equal(returned.status, 200, returned.problem);
    assert.equal(returned.claims?.[`${DL}data`], 'course-101-module-2');
    // Verified independently of the test LMS: against Lectern's published keys.
    const verifiedBy = await jwtVerify(returned.jwt, createRemoteJWKSet(new URL(`${server.url}/lti/1.3/jwks`)), { issuer: clientId, audience: lms.issuer, algorithms: ['RS256'] });
    assert.equal(verifiedBy.payload[`${LTI}message_type`], 'LtiDeepLinkingResponse');
    assert.equal(returned.contentItems.length, 1);
    addedItem = returned.contentItems[0]!;
    assert.equal(addedItem.type, 'ltiResourceLink');
    assert.equal(addedItem.title, school.books.algebra.title);
    assert.deepEqual(addedItem.custom, { bookid: school.books.algebra.id });
    assert.ok(addedItem.lineItem, 'the LMS accepts line items, so the link carries one');
  });

  it('a student opens the added link, lands in the book as their rostered account, and their progress reaches the LMS as a score', async () => {
    const student = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    student.setDefaultTimeout(30_000);
    student.on('pageerror', (e) => errors.push(e.stack ?? e.message));
    const custom = addedItem.custom as Record<string, string>;
    await student.goto(lms.loginInitiation(`${server.url}/lti/1.3/login`, { clientId, userId: STUDENT.user_id, custom, resourceLink: { id: 'link-algebra', title: String(addedItem.title) } }).url);
    await student.waitForURL(`${server.url}/reader/books/${school.books.algebra.id}`);
    await visible(student.getByRole('heading', { name: school.books.algebra.title, level: 1 }));
    const session = (await (await student.request.get(`${server.url}/api/auth/session`)).json()) as { user: { id: string } };
    assert.equal(session.user.id, school.userIds.algebraStudent, 'matched to the rostered account by the LIS person_sourcedid');

    // Read on: the reader saves progress, the hook queues a score, the job sends it with a token.
    const location = async () => (await student.locator('.reading-location').textContent()) ?? '';
    await until(async () => /Numbers Everywhere/.test(await location()) || null, 'the first chapter');
    await student.keyboard.press('ArrowRight');
    await until(async () => /Solving for X/.test(await location()) || null, 'chapter 2');
    await student.keyboard.press('ArrowRight');
    await until(async () => /Graphs and Lines/.test(await location()) || null, 'chapter 3');
    await screenshot(student, 'lti13-journey-03-student-book', { docsName: 'lti13-student-book.png' });
    await expectAccessible(student, 'lti13-journey-03-student-book');
    const score = await until(() => lms.scores.find((s) => s.userId === STUDENT.user_id) ?? null, 'a score for the student at the LMS');
    const given = score.scoreGiven ?? 0;
    const maximum = score.scoreMaximum ?? 0;
    assert.ok(given > 0 && given <= maximum, JSON.stringify(score));
    assert.equal(score.activityProgress, given >= maximum ? 'Completed' : 'InProgress');
    const sent = lms.serviceRequests.filter((r) => r.method === 'POST' && r.url.includes('/scores'));
    assert.ok(sent.length >= 1);
    assert.deepEqual(
      sent.map((r) => [r.status, r.problem]),
      sent.map(() => [204, '']),
      'every score carried a bearer token the LMS issued for the score scope',
    );
    const token = lms.tokenRequests.at(-1);
    assert.equal(token?.problem, '', 'the client assertion verified against Lectern’s JWKS');
    await student.close();
    assert.deepEqual(errors, []);
  });
});
