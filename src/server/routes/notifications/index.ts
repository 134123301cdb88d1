import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { DELIVERY_STATUSES } from '../../../notifications/notification-view.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { Page, PageQuery, errorResponses, paging } from '../schemas.js';

const Preferences = Type.Object({
  runFailed: Type.Boolean({ description: 'E-mail me when a roster sync of my customer fails' }),
  runHeld: Type.Boolean({ description: 'E-mail me when a roster sync waits for approval' }),
  feedStale: Type.Boolean({ description: 'E-mail me when an Auto feed has had no success for two periods' }),
  dailyDigest: Type.Boolean({ description: "Enterprise admins: the daily digest of every customer's failures" }),
});

const PreferencesView = Type.Object({
  preferences: Preferences,
  email: Type.Object({ enabled: Type.Boolean({ description: 'false when LECTERN_SMTP_URL is not set: no e-mail is sent' }), address: Type.String() }),
  scope: Type.Enum(['customer', 'platform'], { description: "'customer': the three events of your customer; 'platform': the daily digest" }),
});

const Webhook = Type.Object({ url: Type.String(), createdAt: Type.String(), updatedAt: Type.String() });

const Delivery = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  url: Type.String(),
  status: Type.Enum(DELIVERY_STATUSES),
  attempt: Type.Integer({ description: 'Tries made so far (0: waiting for the first)' }),
  statusCode: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's HTTP status on the last try; null when none came back" }),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.String(),
  nextRetryAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const CustomerParams = Type.Object({ id: Type.String() });

/** Notifications: your e-mail preferences, a customer's webhook, its delivery log and test event. */
export async function notificationRoutes(app: App, ctx: AppContext): Promise<void> {
  const n = ctx.notifications;

  app.get(
    '/api/notifications/preferences',
    { schema: { tags: ['notifications'], summary: 'Your e-mail notification choices, and whether e-mail is configured', response: { 200: PreferencesView, ...errorResponses } } },
    async (request) => n.getPreferences(requireUser(request).actor),
  );

  app.put(
    '/api/notifications/preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Changes your e-mail notification choices (fields left out keep their value)',
        body: Type.Partial(Preferences, { additionalProperties: false }),
        response: { 200: PreferencesView, ...errorResponses },
      },
    },
    async (request) => n.savePreferences(requireUser(request).actor, request.body),
  );

  app.get(
    '/api/customers/:id/notifications/webhook',
    {
      schema: {
        tags: ['notifications'],
        summary: "The customer's webhook (never its secret), or null",
        params: CustomerParams,
        response: { 200: Type.Object({ webhook: Type.Union([Webhook, Type.Null()]) }), ...errorResponses },
      },
    },
    async (request) => ({ webhook: await n.getWebhook(requireUser(request).actor, request.params.id) }),
  );

  app.put(
    '/api/customers/:id/notifications/webhook',
    {
      schema: {
        tags: ['notifications'],
        summary: "Adds the customer's webhook or changes its URL; a new webhook or rotateSecret returns the signing secret, once",
        description: 'Events are POSTed as JSON with `Lectern-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` (see the README).',
        params: CustomerParams,
        body: Type.Object({ url: Type.String({ format: 'uri', maxLength: 2000 }), rotateSecret: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ webhook: Webhook, secret: Type.Union([Type.String(), Type.Null()], { description: 'Shown only now; null when it did not change' }) }), ...errorResponses },
      },
    },
    async (request) => n.saveWebhook(requireUser(request).actor, request.params.id, request.body),
  );

  app.delete(
    '/api/customers/:id/notifications/webhook',
    { schema: { tags: ['notifications'], summary: "Removes the customer's webhook", params: CustomerParams, response: { 204: Type.Null(), ...errorResponses } } },
    async (request, reply) => {
      await n.deleteWebhook(requireUser(request).actor, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/customers/:id/notifications/webhook/test',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Sends a `webhook.test` event to the webhook; follow it in the delivery log',
        params: CustomerParams,
        response: { 202: Delivery, ...errorResponses, 409: errorResponses[400] },
      },
    },
    async (request, reply) => reply.status(202).send(await n.sendTestEvent(requireUser(request).actor, request.params.id)),
  );

  app.get(
    '/api/customers/:id/notifications/deliveries',
    {
      schema: {
        tags: ['notifications'],
        summary: "The customer's webhook delivery log (the last 100), newest first; `status` keeps one status",
        params: CustomerParams,
        querystring: Type.Object({ page: PageQuery.page, pageSize: PageQuery.pageSize, status: Type.Optional(Type.Enum(DELIVERY_STATUSES)) }, { additionalProperties: false }),
        response: { 200: Page(Delivery), ...errorResponses },
      },
    },
    async (request) => {
      const p = paging(request.query);
      const { items, total } = await n.listDeliveries(requireUser(request).actor, request.params.id, { status: request.query.status, limit: p.limit, offset: p.offset });
      return { items, total, page: p.page, pageSize: p.pageSize };
    },
  );
}
