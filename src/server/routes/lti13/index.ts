import { Type } from 'typebox';
import type { AppContext } from '../../../context.js';
import { JWKS_MAX_AGE_SECONDS } from '../../../lti13/tool-keys.js';
import { requireUser } from '../../plugins/auth.js';
import type { App } from '../../types.js';
import { errorResponses } from '../schemas.js';
import { lti13DeepLinkRoutes } from './deep-link.js';
import { lti13LaunchRoutes } from './launch.js';
import { lti13MembershipRoutes } from './memberships.js';
import { lti13RegisterRoutes } from './register.js';

const PublicJwk = Type.Object({ kty: Type.String(), n: Type.String(), e: Type.String(), kid: Type.String(), alg: Type.String(), use: Type.String() });
const ToolKeySummary = Type.Object({
  kid: Type.String(),
  state: Type.Enum(['next', 'current', 'retired'], { description: 'next: listed, not signing yet; current: signing; retired: listed until the tokens it signed expire' }),
  createdAt: Type.String(),
  activatedAt: Type.Union([Type.String(), Type.Null()]),
  retiredAt: Type.Union([Type.String(), Type.Null()]),
});

/** LTI 1.3: login and launch, Dynamic Registration, the tool's public keys (JWKS) and their rotation by an enterprise admin. */
export async function lti13Routes(app: App, ctx: AppContext): Promise<void> {
  await app.register(async (scope) => lti13LaunchRoutes(scope, ctx));
  await app.register(async (scope) => lti13DeepLinkRoutes(scope, ctx));
  await app.register(async (scope) => lti13RegisterRoutes(scope, ctx));
  await app.register(async (scope) => lti13MembershipRoutes(scope, ctx));
  app.get(
    '/lti/1.3/jwks',
    {
      schema: {
        tags: ['lti13'],
        summary: "The tool's public keys (RS256): the signing key, the next one, and retired ones while tokens they signed can live",
        security: [],
        response: { 200: Type.Object({ keys: Type.Array(PublicJwk) }) },
      },
    },
    async (_request, reply) => {
      // Platforms cache it by these headers; a new key is published for longer than this before it signs.
      reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
      return ctx.lti13.keys.jwks();
    },
  );

  app.get(
    '/api/lti/1.3/keys',
    { schema: { tags: ['lti13'], summary: "The tool's keys as listed now, without key material (enterprise admins)", response: { 200: Type.Array(ToolKeySummary), ...errorResponses } } },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.lti13.keys.list(actor);
    },
  );

  app.post(
    '/api/lti/1.3/keys/rotate',
    {
      schema: {
        tags: ['lti13'],
        summary: 'Rotate the tool keys (enterprise admins): the waiting key starts signing, a new one is published to sign later',
        response: { 200: Type.Array(ToolKeySummary), ...errorResponses },
      },
    },
    async (request) => {
      const { actor } = requireUser(request);
      return ctx.lti13.keys.rotate(actor);
    },
  );
}
