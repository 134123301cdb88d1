/*
 * An LTI 1.3 launch inside the LMS's iframe through the platform's storage (LTI Client Side
 * postMessages), in real Chromium: the test platform's course page frames Lectern's login beside
 * its storage frame and names that frame in lti_storage_target. Lectern's pages keep the state there
 * (lti.put_data), read it back after the platform's form post (lti.get_data), and only then launch;
 * inside the frame that ends on the page that opens Lectern in its own window, signed in. A storage
 * frame that gives back another value stops the launch with a clear page. Screenshots:
 * lti13-storage-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { expectAccessible } from '../helpers/accessibility.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { Lti13Platform, STORAGE_FRAME } from '../helpers/lti13-platform.js';
import { seedLti13Customer } from '../helpers/lti13-customer.js';

// One renderer process for every origin: with site isolation Playwright now and then loses track of
// the tool's frame while it moves between Lectern's and the LMS's origins (the server sees the whole
// launch, the test never sees its page). Browsers enforce the same-origin policy on postMessage and
// frames either way, so the test proves the same.
const SHARED_PROCESS = ['--disable-site-isolation-trials', '--disable-features=IsolateOrigins,site-per-process'];

interface Message {
  subject: string;
  key?: string;
  value?: unknown;
  origin: string;
}

describe('LTI 1.3 launch inside the LMS iframe through platform storage, in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let lms: Lti13Platform;
  let browser: Browser;
  let page: Page;

  /** Opens the platform's course page framing a fresh login (with lti_storage_target) of the platform's first learner. */
  const openCourse = async (opts: { tamper?: boolean; target?: string } = {}) => {
    const login = lms.loginInitiation(`${server.url}/lti/1.3/login`, {}, { storageTarget: opts.target ?? STORAGE_FRAME });
    const course = new URL(`${lms.origin}/lms/course`);
    course.searchParams.set('tool', login.url);
    if (opts.tamper) course.searchParams.set('tamper', '1');
    await page.goto(course.href);
  };
  const storageFrame = (): Frame => {
    const frame = page.frame({ name: STORAGE_FRAME });
    assert.ok(frame, 'the storage frame');
    return frame;
  };
  const messages = async () => (await storageFrame().evaluate('window.__lti')) as Message[];
  const tool = () => page.frameLocator('#tool');

  before(async () => {
    server = await startConsoleServer();
    const launchUrl = `${server.url}/lti/1.3/launch`;
    lms = await Lti13Platform.start({ toolTargetLinkUri: launchUrl, toolRedirectUris: [launchUrl] });
    await seedLti13Customer(server.ctx, lms, { profile: { name: 'Lincoln USD', code: 'lincoln', timeZone: 'America/Chicago' } });
    browser = await launchBrowser(SHARED_PROCESS);
    page = await newConsolePage(browser);
  });
  after(async () => {
    await browser?.close();
    await lms?.close();
    await server?.close();
  });

  it('a student’s launch keeps its state in the platform frame, checks it after the form post, and opens Lectern signed in', async () => {
    await openCourse();
    const open = tool().getByRole('button', { name: 'Open Lectern in a new window' });
    // Five page loads and two postMessage round trips: slower than one click on a busy machine.
    await open.waitFor({ timeout: 30_000 });

    // The platform saw the tool's two requests, from Lectern's origin, for one key: the state it authorized.
    const state = lms.authRequests.at(-1)?.params.state;
    assert.ok(state, 'the platform was asked to authorize');
    const seen = await messages();
    assert.deepEqual(
      seen.map((m) => [m.subject, m.origin, m.key]),
      [
        ['lti.put_data', server.url, `lti_state_${state}`],
        ['lti.get_data', server.url, `lti_state_${state}`],
      ],
    );
    assert.equal(seen[0]!.value, state);
    await screenshot(page, 'lti13-storage-01-in-lms-frame');

    // The ticket opens Lectern in its own window: a first-party session there, on the shelf.
    const [popup] = await Promise.all([page.waitForEvent('popup'), open.click()]);
    await popup.waitForURL((u) => u.pathname === '/reader');
    const session = await popup.evaluate(async () => (await fetch('/api/auth/session')).json());
    assert.equal((session as { user: { role: string } }).user.role, 'student');
    await popup.close();
  });

  it('a storage frame that gives back another value stops the launch with a clear page inside the frame', async () => {
    const before = lms.authRequests.length;
    await openCourse({ tamper: true });
    await tool().getByRole('heading', { name: 'Lectern could not open' }).waitFor({ timeout: 30_000 });
    await tool().getByText('could not confirm that this sign-in started in this browser').waitFor();
    assert.equal(lms.authRequests.length, before + 1, 'the login went through the platform');
    assert.deepEqual(
      (await messages()).map((m) => m.subject),
      ['lti.put_data', 'lti.get_data'],
    );
    assert.equal(await tool().getByRole('button', { name: 'Open Lectern in a new window' }).count(), 0);
    await screenshot(page, 'lti13-storage-02-mismatch');
    await expectAccessible(page, 'lti13-storage-02-mismatch');
  });

  it('a storage frame that is not there: the login page says the LMS did not answer and never goes to the platform', async () => {
    const before = lms.authRequests.length;
    await openCourse({ target: 'no_such_frame' });
    await tool().getByText('did not answer Lectern’s request to keep this sign-in').waitFor({ timeout: 30_000 });
    assert.equal(lms.authRequests.length, before);
  });
});
