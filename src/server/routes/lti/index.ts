import { Type } from 'typebox';
import { SESSION_TTL_MS } from '../../../accounts/account-service.js';
import type { AppContext } from '../../../context.js';
import { AppError } from '../../../errors.js';
import { LaunchError } from '../../../lti/launch-verifier.js';
import { OUTCOME_STATUSES } from '../../../lti/outcome-view.js';
import type { Pair } from '../../../security/oauth1.js';
import { requireUser, setSessionCookie } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { Page, PageQuery, errorResponses, paging } from '../schemas.js';
import { FRAMED_DESTINATIONS, ltiPageScope, sendLaunchOutcome, sendRefusal } from './pages.js';

// A bad value answers a field error that lists the allowed ones.
const OutcomeStatus = Type.Enum(OUTCOME_STATUSES);

const OutcomeCall = Type.Object({
  id: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  user: Type.Object({ id: Type.String(), name: Type.String() }),
  target: Type.Object({ type: Type.Enum(['book', 'collection']), id: Type.String() }),
  targetTitle: Type.Union([Type.String(), Type.Null()], { description: "The title's or collection's name; null once it no longer exists" }),
  version: Type.Enum(['1.1', '1.3'], { description: "'1.1': a Basic Outcomes replaceResult; '1.3': an AGS score" }),
  serviceHost: Type.String(),
  score: Type.Number(),
  status: OutcomeStatus,
  attempts: Type.Integer(),
  lastError: Type.String(),
});

const OutcomeCallPage = Type.Object({
  ...Page(OutcomeCall).properties,
  counts: Type.Object(Object.fromEntries(OUTCOME_STATUSES.map((s) => [s, Type.Integer()])), { description: 'Calls per status matching the search, whatever the status filter' }),
});

/** LTI 1.1: the launch (`POST /lti/launch`), the iframe hand-over, and the admin's list of outcome calls. */
export async function ltiRoutes(app: App, ctx: AppContext): Promise<void> {
  await app.register(async (scope) => launchRoutes(scope, ctx));

  app.get(
    '/api/customers/:id/lti/outcomes',
    {
      schema: {
        tags: ['lti'],
        summary: 'Grade reports of the customer to its LMS (LTI 1.1 Basic Outcomes and LTI 1.3 AGS scores), newest first',
        description: "`status` keeps one status; `search` matches the student's name or the title (case-insensitive). `counts` has every status.",
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object(
          { page: PageQuery.page, pageSize: PageQuery.pageSize, status: Type.Optional(OutcomeStatus), search: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: OutcomeCallPage, ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      const p = paging(request.query);
      const { status, search } = request.query;
      const { items, total, counts } = await ctx.lti.outcomes.list(actor, request.params.id, { status, search, limit: p.limit, offset: p.offset });
      return { items, total, page: p.page, pageSize: p.pageSize, counts };
    },
  );
}

const FORM_MESSAGE = 'An LTI launch is a form post (application/x-www-form-urlencoded).';

// Its own scope: the form parser keeps the raw body (pairs, duplicates and order intact) and errors
// are pages for a person, not JSON.
async function launchRoutes(app: App, ctx: AppContext): Promise<void> {
  const rateLimited = await ltiPageScope(app, FORM_MESSAGE, 'LTI launch failed');

  app.post(
    '/lti/launch',
    {
      config: { rateLimit: rateLimited },
      schema: {
        tags: ['lti'],
        summary: 'LTI 1.1 basic launch (form-encoded, OAuth 1.0a signed); 303 into the reader with a session',
        description:
          'Send the LMS form post here. Verified launches redirect (303) to /reader, /reader/books/{custom_bookid} or /reader/collections/{custom_collectionid} with a session cookie; launches inside an iframe get a page that opens Lectern in a new window. After a valid signature, refusals go back to launch_presentation_return_url with lti_errormsg and lti_errorlog; otherwise an error page.',
        consumes: ['application/x-www-form-urlencoded'],
        security: [],
        response: { 303: Type.Null(), 200: Type.String(), 400: Type.String(), 401: Type.String(), 403: Type.String() },
      },
    },
    async (request, reply) => {
      if (typeof request.body !== 'string') throw new AppError('UNSUPPORTED_MEDIA_TYPE', FORM_MESSAGE);
      const pairs: Pair[] = [...new URLSearchParams(request.body)];
      const target = pairs.find(([n]) => n === 'launch_presentation_document_target')?.[1] ?? '';
      const dest = request.headers['sec-fetch-dest'];
      // The browser's own word first; the LMS's claim only when the browser sends none.
      const framed = typeof dest === 'string' ? FRAMED_DESTINATIONS.has(dest) : ['iframe', 'frame', 'embed'].includes(target);
      try {
        const outcome = await ctx.lti.launches.launch(request.url, pairs, { ip: request.ip, userAgent: request.headers['user-agent'] ?? '', framed });
        return sendLaunchOutcome(reply, ctx, outcome);
      } catch (err) {
        if (!(err instanceof LaunchError)) throw err;
        request.log.info({ code: err.code, reason: err.logMessage }, 'LTI launch refused');
        return sendRefusal(reply, err, err.code);
      }
    },
  );

  // A form post, not a link: the ticket stays out of URLs, so out of request logs and history.
  app.post(
    '/lti/continue',
    {
      config: { rateLimit: rateLimited },
      schema: {
        tags: ['lti'],
        summary: 'Opens a launch made inside an LMS iframe in its own window (form field `ticket`: single use, 2 minutes)',
        consumes: ['application/x-www-form-urlencoded'],
        security: [],
        response: { 303: Type.Null(), 410: Type.String() },
      },
    },
    async (request, reply) => {
      const ticket = typeof request.body === 'string' ? new URLSearchParams(request.body).get('ticket') : null;
      const redeemed = ticket ? await ctx.lti.launches.redeemTicket(ticket, { ip: request.ip, userAgent: request.headers['user-agent'] ?? '' }) : null;
      if (!redeemed) throw new AppError('LTI_TICKET_INVALID');
      setSessionCookie(reply, ctx, redeemed.signedIn.sessionToken, SESSION_TTL_MS);
      return reply.header('cache-control', 'no-store').redirect(redeemed.target, 303);
    },
  );
}
