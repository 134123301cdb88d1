import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { Lti13Error } from '../../../lti13/errors.js';
import { SyncOnLaunch } from '../../../lti13/sync-on-launch.js';
import { Lti13LaunchService, type LoginInitiation } from '../../../lti13/launch-service.js';
import { CHECK_SCRIPT, checkPageData, fromOrigin, PUT_SCRIPT, putPageData, STORAGE_FIELDS } from '../../../lti13/storage-target.js';
import { LaunchError } from '../../../lti/launch-verifier.js';
import type { App } from '../../types.js';
import { FRAMED_DESTINATIONS, ltiPageScope, sendLaunchOutcome, sendLtiScriptPage, sendRefusal } from '../lti/pages.js';
import { deepLinkingFor, sendPicker } from './deep-link.js';

const FORM_MESSAGE = 'An LTI 1.3 sign-in is a form post (application/x-www-form-urlencoded).';
const LOGIN_FIELDS = ['iss', 'login_hint', 'target_link_uri', 'lti_message_hint', 'client_id', 'lti_deployment_id', 'lti_storage_target'] as const;

/**
 * LTI 1.3: the OIDC login initiation (`GET|POST /lti/1.3/login`, 302 to the platform) and the
 * launch (`POST /lti/1.3/launch`, 303 into the reader with a session). With `lti_storage_target`
 * each answers a page first that keeps or checks the state in the platform's storage frame
 * (lti13/storage-target.ts). Errors are pages for a person with a 4xx status; only a token that
 * verified may send them back to the LMS.
 */
export async function lti13LaunchRoutes(app: App, ctx: AppContext): Promise<void> {
  // A teacher's launch may queue a Sync from LMS of the course (lti.syncRosterOnLaunch).
  const syncOnLaunch = new SyncOnLaunch(ctx.db.kysely, ctx.jobs);
  const service = new Lti13LaunchService(ctx.db.kysely, { publicUrl: ctx.config.publicUrl, outbound: ctx.outbound, syncOnLaunch });
  const rateLimited = await ltiPageScope(app, FORM_MESSAGE, 'LTI 1.3 request failed');
  const publicOrigin = new URL(ctx.config.publicUrl).origin;

  const login = async (fields: Record<string, string | undefined>, reply: FastifyReply) => {
    const params: LoginInitiation = Object.fromEntries(LOGIN_FIELDS.flatMap((name) => (typeof fields[name] === 'string' ? [[name, fields[name]]] : [])));
    try {
      const { redirect, storage } = await service.login(params);
      if (storage) return sendLtiScriptPage(reply, 'Opening Lectern', 'Lectern is asking your LMS to keep this sign-in…', PUT_SCRIPT, putPageData(storage));
      return reply.header('cache-control', 'no-store').redirect(redirect, 302);
    } catch (err) {
      if (err instanceof Lti13Error) reply.request.log.info({ code: err.lti13Code, reason: err.logMessage }, 'LTI 1.3 login refused');
      throw err;
    }
  };
  const loginSchema = {
    tags: ['lti13'],
    summary: 'LTI 1.3 OIDC login initiation: 302 to the platform auth endpoint with a single-use state and nonce',
    description:
      'Parameters iss, login_hint, target_link_uri and optional lti_message_hint, client_id, lti_deployment_id, lti_storage_target (query for GET, form for POST). With lti_storage_target, a page (200) stores the state in that platform frame (lti.put_data) and then goes to the auth endpoint. An unknown issuer, client or deployment gets an error page (4xx).',
    security: [],
    response: { 302: Type.Null(), 200: Type.String(), 400: Type.String(), 401: Type.String() },
  };
  app.get('/lti/1.3/login', { config: { rateLimit: rateLimited }, schema: loginSchema }, async (request, reply) => login(request.query as Record<string, string | undefined>, reply));
  app.post('/lti/1.3/login', { config: { rateLimit: rateLimited }, schema: { ...loginSchema, consumes: ['application/x-www-form-urlencoded'] } }, async (request, reply) =>
    login(Object.fromEntries(new URLSearchParams(formText(request.body))), reply),
  );

  app.post(
    '/lti/1.3/launch',
    {
      config: { rateLimit: rateLimited },
      schema: {
        tags: ['lti13'],
        summary: 'LTI 1.3 launch (form id_token, state): 303 into the reader with a session',
        description:
          'A verified LtiResourceLinkRequest redirects (303) to /reader, /reader/books/{custom bookid} or /reader/collections/{custom collectionid}; inside an iframe a page opens Lectern in a new window. For a login made with lti_storage_target the platform’s post answers a page (200, no session) that reads the state back from the platform’s storage (lti.get_data) and, if it matches, posts id_token and state again with lti_storage_marker and lti_storage_value from Lectern’s own origin; only that post launches. A token that does not verify gets an error page (4xx); a verified but refused one goes back to launch_presentation.return_url with lti_errormsg.',
        consumes: ['application/x-www-form-urlencoded'],
        security: [],
        response: { 303: Type.Null(), 200: Type.String(), 400: Type.String(), 401: Type.String(), 403: Type.String() },
      },
    },
    async (request, reply) => {
      const form = new URLSearchParams(formText(request.body));
      const dest = request.headers['sec-fetch-dest'];
      // The browser's word only: the token is not verified yet when this is read.
      const framed = typeof dest === 'string' && FRAMED_DESTINATIONS.has(dest);
      try {
        // Only the storage check page's post carries these; its origin tells it from a form of another site's.
        const storage = { marker: form.get(STORAGE_FIELDS.marker) ?? undefined, value: form.get(STORAGE_FIELDS.value) ?? undefined, sameOrigin: fromOrigin(request.headers, publicOrigin) };
        const outcome = await service.launch(
          { id_token: form.get('id_token') ?? undefined, state: form.get('state') ?? undefined, storage },
          { ip: request.ip, userAgent: request.headers['user-agent'] ?? '', framed },
        );
        if (outcome.kind === 'storage-check')
          return sendLtiScriptPage(reply, 'Opening Lectern', 'Lectern is checking this sign-in with your LMS…', CHECK_SCRIPT, checkPageData(outcome, '/lti/1.3/launch'));
        if (outcome.kind === 'deep-link') return sendPicker(reply, deepLinkingFor(ctx), outcome.token, {});
        return sendLaunchOutcome(reply, ctx, outcome);
      } catch (err) {
        if (!(err instanceof Lti13Error) && !(err instanceof LaunchError)) throw err;
        const code = err instanceof Lti13Error ? err.lti13Code : err.code;
        request.log.info({ code, reason: err.logMessage }, 'LTI 1.3 launch refused');
        return sendRefusal(reply, err, code);
      }
    },
  );
}

function formText(body: unknown): string {
  if (typeof body !== 'string') throw new AppError('UNSUPPORTED_MEDIA_TYPE', FORM_MESSAGE);
  return body;
}
