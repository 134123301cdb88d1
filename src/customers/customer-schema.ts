import { Type, type Static, type TSchema } from 'typebox';

/*
 * The customer body of POST /api/customers and `lectern customer create --file` (DESIGN.md).
 * Structure lives here; rules that tie fields together (SFTP needs a host, ZIP is manual only…)
 * live in customer-rules.ts so they can name the exact field that is wrong.
 */

export const SYNC_TYPES = ['api', 'sftp', 'zip'] as const;
export const MATCH_WITH = ['sourcedId', 'identifier', 'username', 'email'] as const;
export const SYNC_FREQUENCIES = ['auto', 'manual'] as const;
export const PERIODS = ['hourly', 'every6Hours', 'every12Hours', 'daily', 'weekly', 'monthly'] as const;
export const AUTHORIZATIONS = ['oauth1-hmac-sha256', 'oauth1-hmac-sha1', 'oauth2-client-credentials'] as const;
export const ONEROSTER_VERSIONS = ['1.1', '1.2'] as const;
/** What an LTI launch by someone the Match with rule does not find does: an LTI-only user, or refusal. */
export const UNMATCHED_USERS = ['create', 'refuse'] as const;

const text = (max: number, opts: object = {}) => Type.String({ maxLength: max, ...opts });
const required = (max: number, opts: object = {}) => Type.String({ minLength: 1, maxLength: max, ...opts });
const closed = <T extends Record<string, TSchema>>(props: T) => Type.Object(props, { additionalProperties: false });

const Profile = closed({
  name: required(200),
  code: Type.String({
    minLength: 2,
    maxLength: 40,
    pattern: '^[a-z0-9][a-z0-9-]*$',
    'x-message': 'Use 2–40 lower-case letters, digits and dashes, starting with a letter or digit.',
  }),
  timeZone: required(64),
});

const Administrator = closed({
  firstName: required(100),
  lastName: required(100),
  email: Type.String({ maxLength: 254, format: 'email' }),
  phone: Type.Optional(text(40, { pattern: '^[0-9+()\\-. ]*$', 'x-message': 'Use digits, spaces and + ( ) - . only.' })),
  password: Type.String({ maxLength: 256 }),
});

const Address = closed({
  line1: required(200),
  line2: Type.Optional(text(200)),
  city: required(100),
  region: Type.Optional(text(100)),
  postalCode: Type.Optional(text(20)),
  country: Type.String({ pattern: '^[A-Z]{2}$', 'x-message': 'Use the two-letter country code, such as US.' }),
});

const Sftp = closed({
  host: Type.Optional(text(253)),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  username: Type.Optional(text(100)),
  password: Type.Optional(text(1000)),
  privateKey: Type.Optional(text(16_000)),
  path: Type.Optional(text(500)),
  fileName: Type.Optional(text(200)),
  hostKeyFingerprint: Type.Optional(text(200)),
});

const Rostering = closed({
  type: Type.Enum(['none', 'oneroster']),
  oneRosterVersion: Type.Optional(Type.Enum([...ONEROSTER_VERSIONS])),
  syncType: Type.Optional(Type.Enum([...SYNC_TYPES])),
  matchWith: Type.Optional(Type.Enum([...MATCH_WITH])),
  syncFrequency: Type.Optional(Type.Enum([...SYNC_FREQUENCIES])),
  period: Type.Optional(Type.Enum([...PERIODS])),
  suffix: Type.Optional(text(64, { pattern: '^[A-Za-z0-9@._-]*$', 'x-message': 'Use letters, digits and @ . _ - only.' })),
  clientPartnerId: Type.Optional(text(100)),
  authorization: Type.Optional(Type.Enum([...AUTHORIZATIONS])),
  consumerKey: Type.Optional(text(500)),
  secretKey: Type.Optional(text(1000)),
  url: Type.Optional(text(2000)),
  tokenUrl: Type.Optional(text(2000)),
  scope: Type.Optional(text(1000)),
  sftp: Type.Optional(Sftp),
  deletionThresholdPercent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  deletionThresholdMin: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
});

/** POST /api/customers/test-connection (and /:id/test-connection) body: the form's unsaved rostering section. */
export const ConnectionTestBody = closed({ rostering: Rostering });
export type ConnectionTestInput = Static<typeof ConnectionTestBody>;

/** What Test connection found, step by step (connection-check.ts). */
export const ConnectionReportView = Type.Object({
  ok: Type.Boolean(),
  steps: Type.Array(
    Type.Object({
      step: Type.String({ description: 'SFTP: resolve, connect, hostKey, authenticate, listPath, findFile. API: token or sign, readOrgs' }),
      label: Type.String(),
      status: Type.Enum(['ok', 'failed', 'skipped']),
      message: Type.String(),
      code: Type.Union([Type.String(), Type.Null()], { description: 'The stable error code of a failed step (SOURCE_*, OUTBOUND_FORBIDDEN)' }),
    }),
  ),
  hostKey: Type.Union([Type.Object({ fingerprint: Type.String(), pinned: Type.Enum(['match', 'mismatch', 'unpinned']) }), Type.Null()]),
  nearNames: Type.Array(Type.String()),
  orgs: Type.Union([Type.Object({ count: Type.Integer(), countIsTotal: Type.Boolean(), names: Type.Array(Type.String()) }), Type.Null()]),
});

/** 1.1: consumer key and shared secret; 1.3: platform registrations; both: during a move from 1.1 to 1.3. */
export const LTI_VERSIONS = ['1.1', '1.3', 'both'] as const;

/** One LMS registered by hand (DESIGN.md "LTI 1.3"); URLs and deployments are checked in lti13-rules.ts. */
const LtiPlatformInput = closed({
  issuer: required(2000),
  clientId: required(255),
  deploymentIds: Type.Array(text(255), { maxItems: 100 }),
  authLoginUrl: required(2000),
  authTokenUrl: required(2000),
  jwksUrl: required(2000),
});
export type LtiPlatformInputT = Static<typeof LtiPlatformInput>;

const Lti = closed({
  version: Type.Enum([...LTI_VERSIONS]),
  unmatchedUsers: Type.Optional(Type.Enum([...UNMATCHED_USERS])),
  /** LTI 1.3: a teacher's launch from a course queues a pull of its members (NRPS), at most hourly per course; off by default. */
  syncRosterOnLaunch: Type.Optional(Type.Boolean()),
  /** In a PATCH, the whole list: registrations left out are removed (those made by Dynamic Registration too). */
  platforms: Type.Optional(Type.Array(LtiPlatformInput, { maxItems: 50 })),
});

/** POST /api/customers body. */
export const CustomerCreateBody = closed({
  profile: Profile,
  administrator: Administrator,
  address: Address,
  lti: Lti,
  rostering: Rostering,
  acceptTerms: Type.Boolean(),
});
export type CustomerCreateInput = Static<typeof CustomerCreateBody>;

/** PATCH /api/customers/:id body: any part of the create body, plus status. Secrets left empty are kept. */
export const CustomerPatchBody = closed({
  profile: Type.Optional(Type.Partial(Profile, { additionalProperties: false })),
  administrator: Type.Optional(Type.Partial(Type.Omit(Administrator, ['password']), { additionalProperties: false })),
  address: Type.Optional(Type.Partial(Address, { additionalProperties: false })),
  lti: Type.Optional(Type.Partial(Lti, { additionalProperties: false })),
  rostering: Type.Optional(Type.Partial(Rostering, { additionalProperties: false })),
  status: Type.Optional(Type.Enum(['active', 'disabled'])),
});
export type CustomerPatchInput = Static<typeof CustomerPatchBody>;

export type RosteringInput = Static<typeof Rostering>;
export type SftpInput = Static<typeof Sftp>;

/** A platform registration as the API shows it. */
export const LtiPlatformView = Type.Object({
  id: Type.String(),
  issuer: Type.String(),
  clientId: Type.String(),
  deploymentIds: Type.Array(Type.String()),
  authLoginUrl: Type.String(),
  authTokenUrl: Type.String(),
  jwksUrl: Type.String(),
  origin: Type.Enum(['console', 'dynamic']),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

/**
 * The tool's values an LMS admin pastes (DESIGN.md). `registrationUrl` carries a one-time secret, so
 * it is shown when minted only (the create response, POST …/lti/1.3/registration-url) and is null elsewhere.
 */
export const LtiToolView = Type.Object({
  loginUrl: Type.String(),
  launchUrl: Type.String(),
  jwksUrl: Type.String(),
  registrationUrl: Type.Union([Type.String(), Type.Null()]),
});
export type LtiToolViewT = Static<typeof LtiToolView>;

/** The customer as the API shows it. Secrets appear only as "set" flags. */
export const CustomerView = Type.Object({
  id: Type.String(),
  status: Type.Enum(['active', 'disabled']),
  profile: Type.Object({ name: Type.String(), code: Type.String(), timeZone: Type.String() }),
  administrator: Type.Object({ firstName: Type.String(), lastName: Type.String(), email: Type.String(), phone: Type.String(), userId: Type.Union([Type.String(), Type.Null()]) }),
  address: Type.Object({ line1: Type.String(), line2: Type.String(), city: Type.String(), region: Type.String(), postalCode: Type.String(), country: Type.String() }),
  lti: Type.Object({
    version: Type.String(),
    consumerKey: Type.String(),
    launchUrl: Type.String(),
    sharedSecretSet: Type.Boolean(),
    unmatchedUsers: Type.Enum([...UNMATCHED_USERS]),
    /** Whether a teacher's LTI 1.3 launch queues a Sync from LMS of the course (at most hourly per course). */
    syncRosterOnLaunch: Type.Boolean(),
    /** LTI 1.3 platform registrations (empty for a 1.1 customer). */
    platforms: Type.Array(LtiPlatformView),
    /** What an LMS admin pastes (LTI 1.3 and both); null for a 1.1 customer. */
    tool: Type.Union([LtiToolView, Type.Null()]),
  }),
  rostering: Type.Object({
    type: Type.String(),
    oneRosterVersion: Type.Union([Type.String(), Type.Null()]),
    syncType: Type.Union([Type.String(), Type.Null()]),
    matchWith: Type.Union([Type.String(), Type.Null()]),
    syncFrequency: Type.Union([Type.String(), Type.Null()]),
    period: Type.Union([Type.String(), Type.Null()]),
    nextRunAt: Type.Union([Type.String(), Type.Null()]),
    /** The last sync (previews aside), for "last sync status". */
    lastRun: Type.Union([
      Type.Object({ runId: Type.String(), status: Type.String(), trigger: Type.String(), actor: Type.String(), createdAt: Type.String(), finishedAt: Type.Union([Type.String(), Type.Null()]) }),
      Type.Null(),
    ]),
    lastSuccessAt: Type.Union([Type.String(), Type.Null()]),
    /** An Auto customer without a successful sync for two of its periods. */
    stale: Type.Boolean(),
    suffix: Type.String(),
    clientPartnerId: Type.Union([Type.String(), Type.Null()]),
    authorization: Type.Union([Type.String(), Type.Null()]),
    consumerKey: Type.String(),
    secretKeySet: Type.Boolean(),
    url: Type.String(),
    tokenUrl: Type.String(),
    scope: Type.String(),
    sftp: Type.Object({
      host: Type.String(),
      port: Type.Union([Type.Integer(), Type.Null()]),
      username: Type.String(),
      passwordSet: Type.Boolean(),
      privateKeySet: Type.Boolean(),
      path: Type.String(),
      fileName: Type.String(),
      hostKeyFingerprint: Type.String(),
    }),
    deletionThresholdPercent: Type.Integer(),
    deletionThresholdMin: Type.Integer(),
    retentionDays: Type.Integer(),
  }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type CustomerViewT = Static<typeof CustomerView>;
