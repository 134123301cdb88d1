import crypto from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { DynamicRegistration, type Registered } from '../../../lti13/dynamic-registration.js';
import { Lti13Error } from '../../../lti13/errors.js';
import type { App } from '../../types.js';
import { ltiPageScope, sendLtiScriptPage } from '../lti/pages.js';

/** The message that tells the LMS its registration window may close (Dynamic Registration §3.6.3). */
export const CLOSE_MESSAGE = 'org.imsglobal.lti.close';

/**
 * LTI Dynamic Registration (`GET /lti/1.3/register/:customerCode?token=…`, opened by the LMS with
 * `openid_configuration` and `registration_token`): registers Lectern with the platform, stores the
 * registration and answers a page that tells the LMS it is done. Failures are pages for the LMS
 * administrator with a 4xx or 502 status, never a stack trace.
 */
export async function lti13RegisterRoutes(app: App, ctx: AppContext): Promise<void> {
  const registration = new DynamicRegistration(ctx.db.kysely, { publicUrl: ctx.config.publicUrl, outbound: ctx.outbound });
  const rateLimited = await ltiPageScope(app, 'An LTI Dynamic Registration is a GET request.', 'LTI 1.3 registration failed');

  app.get(
    '/lti/1.3/register/:customerCode',
    {
      config: { rateLimit: rateLimited },
      schema: {
        // Not in the API document: a page the LMS opens, whose every refusal (a control character in
        // the code included) is a page for its administrator, not the API's JSON error.
        hide: true,
        tags: ['lti13'],
        summary: "LTI Dynamic Registration: registers Lectern with the LMS that opens the customer's one-time registration URL",
        description:
          'Query token (the one-time secret of the URL the customer page mints), openid_configuration and optional registration_token (added by the LMS). Answers a page that posts org.imsglobal.lti.close to the LMS window; a missing, wrong, used or expired token, or a configuration or registration the LMS got wrong, gets an error page and stores nothing.',
        security: [],
        response: { 200: Type.String(), 400: Type.String(), 409: Type.String(), 410: Type.String(), 502: Type.String() },
      },
    },
    async (request, reply) => {
      // Read as given, not by a schema: the parameters are the LMS's, and every refusal is a page.
      const query = request.query as Record<string, unknown>;
      const text = (name: string) => (typeof query[name] === 'string' ? query[name] : undefined);
      try {
        const registered = await registration.register({
          customerCode: (request.params as { customerCode: string }).customerCode,
          token: text('token'),
          openidConfiguration: text('openid_configuration'),
          registrationToken: text('registration_token'),
        });
        request.log.info({ platformId: registered.platformId, issuer: registered.issuer, clientId: registered.clientId, updated: registered.updated }, 'LTI 1.3 platform registered');
        return sendRegistered(reply, registered);
      } catch (err) {
        if (err instanceof Lti13Error) request.log.info({ code: err.lti13Code, reason: err.logMessage }, 'LTI 1.3 registration refused');
        throw err;
      }
    },
  );
}

// The page the LMS shows when Lectern is registered, in the shell of the launch pages. Its one
// script posts the close message to the window that opened it (a popup) or holds it (an iframe),
// aimed at the LMS's origin rather than the spec example's '*'; the CSP admits that script by its
// hash and nothing else.
function sendRegistered(reply: FastifyReply, registered: Registered) {
  // JSON text with '<' escaped cannot end the script element, whatever the origin holds.
  const target = JSON.stringify(registered.platformOrigin).replace(/</g, '\\u003c');
  const source = `(window.opener || window.parent).postMessage({ subject: '${CLOSE_MESSAGE}' }, ${target});`;
  const hash = `'sha256-${crypto.createHash('sha256').update(source).digest('base64')}'`;
  const what = registered.updated ? 'Lectern’s registration with your LMS is updated.' : 'Lectern is registered with your LMS.';
  // An LMS that opens registration in a popup needs window.opener, which helmet's COOP same-origin would cut.
  reply.header('cross-origin-opener-policy', 'unsafe-none');
  const message = `${what} Client ID ${registered.clientId}, deployment ${registered.deploymentId}. You can close this window; your courses can add Lectern now.`;
  return sendLtiScriptPage(reply, 'Lectern is registered', message, { source, hash });
}
