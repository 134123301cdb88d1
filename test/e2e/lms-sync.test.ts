/*
 * Sync from LMS on the Class page in real Chromium against the real server and the test LMS, with
 * real access tokens (PlatformTokens: a client assertion signed by Lectern's key, which the platform
 * verifies against Lectern's JWKS over HTTP): a customer admin opens a class made from an LMS course,
 * presses the button, watches the run, reads what changed and sees the new student and the one who
 * left. A OneRoster class has no such button. Screenshots: lms-sync-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { operatorActor } from '../../src/accounts/policy.js';
import { PlatformTokens } from '../../src/lti13/access-token.js';
import { LmsRosterSync, rememberContext } from '../../src/lti13/lms-sync.js';
import { contextClassSourcedId } from '../../src/lti13/nrps-source.js';
import { expectAccessible } from '../helpers/accessibility.js';
import { browserSkipReason, launchBrowser, newConsolePage, screenshot, signInToConsole, startConsoleServer, type ConsoleServer } from '../helpers/browser.js';
import { Lti13Platform, ROLES } from '../helpers/lti13-platform.js';
import { userRow } from '../helpers/roster-rows.js';
import { importRoster, schoolRoster } from '../lti/lti-server.js';
import { seedLti13Customer } from '../helpers/lti13-customer.js';

const visible = (l: Locator, timeout?: number) => l.waitFor({ state: 'visible', ...(timeout ? { timeout } : {}) });

describe('Sync from LMS on the Class page in Chromium', { skip: browserSkipReason() ?? false }, () => {
  let server: ConsoleServer;
  let lms: Lti13Platform;
  let browser: Browser;

  before(async () => {
    server = await startConsoleServer();
    lms = await Lti13Platform.start({ toolJwksUrl: `${server.url}/lti/1.3/jwks` });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await lms?.close();
    await server?.close();
  });

  it('pulls the course members with live progress, shows what changed, and the class lists the newcomer and not the leaver', async () => {
    const k = server.ctx.db.kysely;
    const customer = await seedLti13Customer(server.ctx, lms, { profile: { name: 'Lincoln USD' }, rostering: { syncType: 'zip', syncFrequency: 'manual', suffix: '@lincoln-lms' } });
    await importRoster(server.ctx, customer.id, schoolRoster([userRow('stu-1')]));
    const platformId = (await k.selectFrom('lti_platforms').select('id').where('customer_id', '=', customer.id).executeTakeFirstOrThrow()).id;
    const contextRowId = await k
      .transaction()
      .execute((trx) => rememberContext(trx, { customerId: customer.id, platformId, contextId: lms.context.id, title: lms.context.title, membershipsUrl: lms.membershipsUrl }));
    // The course's first pull (as a teacher's launch or the CLI would start it) makes the class.
    const tokens = new PlatformTokens({ outbound: server.ctx.outbound, signer: () => server.ctx.lti13.keys.signer() });
    const first = await new LmsRosterSync({ db: k, runs: server.ctx.runs, outbound: server.ctx.outbound, tokens }).pullContextNow(operatorActor, customer.id, contextRowId!);
    assert.equal(first.status, 'succeeded', JSON.stringify(first));
    const classIdOf = async (sourcedId: string) => (await k.selectFrom('classes').select('id').where('customer_id', '=', customer.id).where('sourced_id', '=', sourcedId).executeTakeFirstOrThrow()).id;
    const lmsClass = await classIdOf(contextClassSourcedId(lms.issuer, lms.context.id));

    // In the LMS meanwhile: Tomás left the course and Mei joined it.
    lms.members.splice(
      lms.members.findIndex((m) => m.user_id === 'lms-user-2'),
      1,
    );
    lms.members.push({
      user_id: 'lms-user-9',
      status: 'Active',
      name: 'Mei Tanaka',
      given_name: 'Mei',
      family_name: 'Tanaka',
      email: 'mei@lms.example',
      lis_person_sourcedid: 'sis-9',
      roles: [ROLES.learner],
    });

    const page = await newConsolePage(browser);
    await signInToConsole(page, server.url, customer.adminEmail, customer.adminPassword);
    await page.goto(`${server.url}/customers/${customer.id}/classes/${lmsClass}`);
    await visible(page.getByRole('heading', { name: /English 101/, level: 1 }));
    await visible(page.getByRole('link', { name: 'Tomás Ortiz' }));
    const panel = page.getByRole('region', { name: 'LMS roster sync' });
    await visible(panel.getByText('English 101', { exact: true }));
    await screenshot(page, 'lms-sync-01-class');
    await expectAccessible(page, 'lms-sync-01-class');

    await panel.getByRole('button', { name: 'Sync from LMS' }).click();
    await visible(panel.getByText('Users: 1 added. Enrollments: 1 added, 1 ended.'), 30_000);
    await visible(panel.getByText('Succeeded', { exact: true }));
    await visible(page.getByRole('link', { name: 'Mei Tanaka' }), 5000);
    assert.equal(await page.getByRole('link', { name: 'Tomás Ortiz' }).count(), 0, 'the leaver is no longer listed in the class');
    await screenshot(page, 'lms-sync-02-done');
    await expectAccessible(page, 'lms-sync-02-done');
    // The token came from the LMS's token endpoint, for the NRPS scope only.
    assert.ok(lms.tokenRequests.some((r) => r.status === 200 && r.scope === 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly'));

    // Once the run is over the button works again; the course has not changed since: nothing to add or end.
    const button = panel.getByRole('button', { name: 'Sync from LMS' });
    assert.ok(await button.isEnabled());
    await button.click();
    await visible(panel.getByText('Users: 0 added. Enrollments: 0 added, 0 ended.'), 30_000);

    await panel.getByRole('link', { name: 'View the run report' }).click();
    await page.waitForURL(new RegExp(`/customers/${customer.id}/roster/runs/[^/]+$`));
    await visible(page.getByRole('heading', { name: /English 101/, level: 1 }));

    // A OneRoster class has no LMS course: no button.
    await page.goto(`${server.url}/customers/${customer.id}/classes/${await classIdOf('c1')}`);
    await visible(page.getByRole('heading', { name: /Class c1/, level: 1 }));
    assert.equal(await page.getByRole('button', { name: 'Sync from LMS' }).count(), 0);
    await page.close();
  });
});
