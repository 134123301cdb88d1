/*
 * A customer registered with a test LTI 1.3 platform: what the launch tests set up before each run,
 * written once so that a change to the registration's fields is made in one place.
 */
import type { AppContext } from '../../src/context.js';
import { seedCustomer, startTestApp, type TestApp } from './app.js';
import type { TestDialect } from './databases.js';
import { Lti13Platform } from './lti13-platform.js';

/** The platform registration of `lms` as the customer form sends it (lti.platforms[n]). */
export function platformRegistration(lms: Lti13Platform) {
  return { issuer: lms.issuer, clientId: lms.clientId, deploymentIds: [lms.deploymentId], authLoginUrl: lms.authLoginUrl, authTokenUrl: lms.authTokenUrl, jwksUrl: lms.jwksUrl };
}

/** Seeds a customer (`overrides` as seedCustomer takes them) whose LTI 1.3 platform is `lms`. */
export async function seedLti13Customer(ctx: AppContext, lms: Lti13Platform, overrides: Parameters<typeof seedCustomer>[1] = {}) {
  // The factory's type does not know LTI 1.3 platforms yet; the service validates them.
  return seedCustomer(ctx, { ...overrides, lti: { version: '1.3', platforms: [platformRegistration(lms)] } } as never);
}

/** The test app, a test platform that launches into it, and the customer registered with that platform. */
export interface Lti13TestApp {
  t: TestApp;
  lms: Lti13Platform;
  /** Closes both. */
  close: () => Promise<void>;
}

/** Starts the test app and a test platform whose tool launches at the app's launch URL, with one customer registered with it. */
export async function startLti13TestApp(dialect: TestDialect): Promise<Lti13TestApp> {
  const t = await startTestApp(dialect);
  const launchUrl = `${t.ctx.config.publicUrl}/lti/1.3/launch`;
  const lms = await Lti13Platform.start({ toolTargetLinkUri: launchUrl, toolRedirectUris: [launchUrl] });
  await seedLti13Customer(t.ctx, lms);
  return {
    t,
    lms,
    close: async () => {
      await t.close();
      await lms.close();
    },
  };
}
