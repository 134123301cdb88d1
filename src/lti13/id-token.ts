/*
 * Verifies an LTI 1.3 id_token as the 1EdTech Security Framework 1.0 (§5.1.3, after OpenID Connect
 * Core §3.1.3.7) and LTI Core 1.3 ask, and returns its claims typed. Order:
 * 1. the header: alg RS256 only. `none` and HMAC are refused before any key is looked up, so an
 *    HS256 token "signed" with the platform's public key (the classic algorithm confusion) never
 *    reaches a verifier; jose is told RS256 only as well;
 * 2. the signature, with the key the platform publishes for the header's kid;
 * 3. iss, exactly the registered issuer.
 * Up to here a refusal is an error page only. From here the token is the platform's own, so a
 * refusal carries its launch_presentation.return_url:
 * 4. aud holds our client id, and any other audience is one the caller trusts (none by default:
 *    "MUST be rejected if it contains additional audiences not trusted by the Tool"); with several
 *    audiences azp must be present, and azp, when present, must be our client id;
 * 5. exp and iat (and nbf when present) against the clock, with a small leeway;
 * 6. nonce, equal to the one this login issued (single use is the caller's store's job);
 * 7. deployment_id among the registration's;
 * 8. message_type, version 1.3.0, target_link_uri, then the claims each message type requires.
 * Optional claims of the wrong shape are read as absent: an LMS quirk in a name must not stop a
 * student, and nothing optional decides trust.
 */
import { compactVerify, decodeProtectedHeader, errors, type JWSHeaderParameters } from 'jose';
import { Lti13Error, type Lti13ErrorCode } from './errors.js';
import type { KeyResolver } from './platform-keys.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const CLAIM = {
  messageType: `${LTI}message_type`,
  version: `${LTI}version`,
  deploymentId: `${LTI}deployment_id`,
  targetLinkUri: `${LTI}target_link_uri`,
  resourceLink: `${LTI}resource_link`,
  roles: `${LTI}roles`,
  context: `${LTI}context`,
  custom: `${LTI}custom`,
  lis: `${LTI}lis`,
  launchPresentation: `${LTI}launch_presentation`,
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinking: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
} as const;

/** The platform registration a launch is checked against. */
export interface Lti13Registration {
  issuer: string;
  clientId: string;
  deploymentIds: readonly string[];
}

/** What verifyIdToken needs. */
export interface VerifyIdTokenOptions {
  registration: Lti13Registration;
  /** The platform's keys, e.g. `platformKeys.forUrl(registration.jwksUrl)`. */
  keys: KeyResolver;
  /** The nonce this login stored with its state. */
  expectedNonce: string;
  /** When set, target_link_uri must be on this origin (Lectern's public URL). */
  targetLinkOrigin?: string;
  /** When set, target_link_uri must be exactly this (the one the login initiation carried). */
  expectedTargetLinkUri?: string;
  /** Audiences besides our client id that a token may also name (default none). */
  trustedAudiences?: readonly string[];
  /** Allowed clock difference for exp, iat and nbf, in seconds (default 60). */
  leewaySeconds?: number;
  now?: Date;
}

/** The course a launch comes from. */
export interface LtiContext {
  id: string;
  label: string | null;
  title: string | null;
  type: string[];
}

/** The link placed in the course (resource link launches). */
export interface LtiResourceLink {
  id: string;
  title: string | null;
  description: string | null;
}

/** Assignment and Grade Services endpoints the platform offers for this launch. */
export interface AgsEndpoint {
  scope: string[];
  lineitems: string | null;
  lineitem: string | null;
}

/** Names and Role Provisioning Services endpoint for this launch's context. */
export interface NrpsEndpoint {
  contextMembershipsUrl: string;
  serviceVersions: string[];
}

/** What the platform accepts back from a deep linking request. */
export interface DeepLinkingSettings {
  deepLinkReturnUrl: string;
  acceptTypes: string[];
  acceptPresentationDocumentTargets: string[];
  acceptMediaTypes: string | null;
  acceptMultiple: boolean;
  acceptLineItem: boolean;
  autoCreate: boolean;
  title: string | null;
  text: string | null;
  /** Opaque; must be echoed in the response. */
  data: string | null;
}

interface LaunchBase {
  issuer: string;
  clientId: string;
  deploymentId: string;
  targetLinkUri: string | null;
  roles: string[];
  context: LtiContext | null;
  custom: Record<string, string>;
  personSourcedId: string | null;
  courseSectionSourcedId: string | null;
  email: string | null;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  preferredUsername: string | null;
  locale: string | null;
  /** launch_presentation.return_url when http(s). */
  returnUrl: string | null;
  documentTarget: string | null;
  ags: AgsEndpoint | null;
  nrps: NrpsEndpoint | null;
  /** Every claim as sent, for vendor extensions. */
  claims: Readonly<Record<string, unknown>>;
}

/** A verified LtiResourceLinkRequest: a person opening a link in a course. */
export interface ResourceLinkLaunch extends LaunchBase {
  messageType: 'LtiResourceLinkRequest';
  sub: string;
  targetLinkUri: string;
  resourceLink: LtiResourceLink;
  deepLinking: null;
}

/** A verified LtiDeepLinkingRequest: a teacher choosing content to add. */
export interface DeepLinkingLaunch extends LaunchBase {
  messageType: 'LtiDeepLinkingRequest';
  /** Absent for an anonymous request. */
  sub: string | null;
  resourceLink: null;
  deepLinking: DeepLinkingSettings;
}

/** Any verified LTI 1.3 launch. */
export type Lti13Launch = ResourceLinkLaunch | DeepLinkingLaunch;

/** Verifies an id_token (see above) and returns its typed claims; throws Lti13Error. */
export async function verifyIdToken(token: string, opts: VerifyIdTokenOptions): Promise<Lti13Launch> {
  const { registration } = opts;
  const leeway = opts.leewaySeconds ?? 60;
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);

  let header: JWSHeaderParameters;
  try {
    if (typeof token !== 'string' || token.length > 64 * 1024) throw new Error('not a short string');
    header = decodeProtectedHeader(token) as JWSHeaderParameters;
  } catch {
    throw new Lti13Error('LTI13_MALFORMED', 'id_token is not a compact JWS');
  }
  if (header.alg !== 'RS256') throw new Lti13Error('LTI13_ALG', `alg ${JSON.stringify(header.alg ?? null)}`);

  let payloadBytes: Uint8Array;
  try {
    ({ payload: payloadBytes } = await compactVerify(token, (h) => opts.keys(h), { algorithms: ['RS256'] }));
  } catch (err) {
    throw signatureFailure(err);
  }
  let claims: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payloadBytes));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    claims = parsed as Record<string, unknown>;
  } catch {
    throw new Lti13Error('LTI13_MALFORMED', 'id_token payload is not a JSON object');
  }
  if (claims.iss !== registration.issuer) throw new Lti13Error('LTI13_WRONG_ISSUER', `iss ${JSON.stringify(claims.iss ?? null)}, registered ${registration.issuer}`);

  // Verified: the platform signed what follows, its return URL included.
  const presentation = obj(claims[CLAIM.launchPresentation]);
  const returnUrl = httpUrl(presentation?.return_url);
  const refuse = (code: Lti13ErrorCode, log: string, message?: string) => new Lti13Error(code, log, { afterVerification: true, returnUrl, ...(message ? { message } : {}) });

  const aud = claims.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) && aud.every((a) => typeof a === 'string') ? (aud as string[]) : null;
  if (!audiences?.includes(registration.clientId)) throw refuse('LTI13_WRONG_AUDIENCE', `aud ${JSON.stringify(aud ?? null)}, client id ${registration.clientId}`);
  const untrusted = audiences.filter((a) => a !== registration.clientId && !opts.trustedAudiences?.includes(a));
  if (untrusted.length) throw refuse('LTI13_WRONG_AUDIENCE', `aud also names ${JSON.stringify(untrusted.slice(0, 5))}, not trusted`);
  if (audiences.length > 1 && claims.azp === undefined) throw refuse('LTI13_WRONG_AUDIENCE', `aud has ${audiences.length} audiences and no azp`);
  if (claims.azp !== undefined && claims.azp !== registration.clientId) throw refuse('LTI13_WRONG_AUDIENCE', `azp ${JSON.stringify(claims.azp)}, client id ${registration.clientId}`);

  for (const name of ['exp', 'iat'] as const) {
    if (!Number.isFinite(claims[name])) throw refuse('LTI13_CLAIM_MISSING', `${name} missing or not a number`, missingMessage(name));
  }
  const exp = claims.exp as number;
  const iat = claims.iat as number;
  if (now - leeway >= exp) throw refuse('LTI13_EXPIRED', `exp ${exp}, now ${now} (leeway ${leeway}s)`);
  if (iat > now + leeway) throw refuse('LTI13_NOT_YET_VALID', `iat ${iat}, now ${now} (leeway ${leeway}s)`);
  if (claims.nbf !== undefined && !(Number.isFinite(claims.nbf) && (claims.nbf as number) <= now + leeway)) {
    throw refuse('LTI13_NOT_YET_VALID', `nbf ${JSON.stringify(claims.nbf)}, now ${now} (leeway ${leeway}s)`);
  }

  if (typeof claims.nonce !== 'string' || !opts.expectedNonce || claims.nonce !== opts.expectedNonce) {
    throw refuse('LTI13_NONCE', typeof claims.nonce === 'string' ? 'nonce is not the one this login issued' : 'nonce missing');
  }

  const deploymentId = claims[CLAIM.deploymentId];
  if (typeof deploymentId !== 'string' || !deploymentId) throw refuse('LTI13_CLAIM_MISSING', 'deployment_id missing', missingMessage('deployment_id'));
  if (!registration.deploymentIds.includes(deploymentId)) {
    throw refuse(
      'LTI13_UNKNOWN_DEPLOYMENT',
      `deployment_id ${JSON.stringify(deploymentId)} not registered`,
      `This LTI deployment (${deploymentId.slice(0, 100)}) is not registered with Lectern. Ask your administrator to add its deployment ID to the platform registration.`,
    );
  }

  const messageType = claims[CLAIM.messageType];
  if (messageType === undefined) throw refuse('LTI13_MESSAGE_TYPE', 'message_type missing');
  if (messageType !== 'LtiResourceLinkRequest' && messageType !== 'LtiDeepLinkingRequest') throw refuse('LTI13_MESSAGE_TYPE', `message_type ${JSON.stringify(messageType)}`);
  const version = claims[CLAIM.version];
  if (version !== '1.3.0') throw refuse('LTI13_VERSION', `version ${JSON.stringify(version ?? null)}`);

  const rawTarget = claims[CLAIM.targetLinkUri];
  const targetLinkUri = httpUrl(rawTarget);
  if (rawTarget !== undefined && !targetLinkUri) throw refuse('LTI13_CLAIM_INVALID', 'target_link_uri is not an http(s) URL', invalidMessage('target_link_uri'));
  if (targetLinkUri && opts.targetLinkOrigin && new URL(targetLinkUri).origin !== new URL(opts.targetLinkOrigin).origin) {
    throw refuse('LTI13_CLAIM_INVALID', `target_link_uri ${targetLinkUri} is not on ${opts.targetLinkOrigin}`, invalidMessage('target_link_uri'));
  }
  if (opts.expectedTargetLinkUri !== undefined && rawTarget !== opts.expectedTargetLinkUri) {
    throw refuse('LTI13_CLAIM_INVALID', `target_link_uri ${JSON.stringify(rawTarget ?? null)}, login said ${opts.expectedTargetLinkUri}`, invalidMessage('target_link_uri'));
  }
  const rawRoles = claims[CLAIM.roles];
  if (rawRoles === undefined) throw refuse('LTI13_CLAIM_MISSING', 'roles missing', missingMessage('roles'));
  if (!Array.isArray(rawRoles) || !rawRoles.every((r) => typeof r === 'string')) throw refuse('LTI13_CLAIM_INVALID', 'roles is not an array of strings', invalidMessage('roles'));
  const sub = typeof claims.sub === 'string' && claims.sub ? claims.sub : null;
  if (claims.sub !== undefined && sub === null) throw refuse('LTI13_CLAIM_INVALID', 'sub is not a non-empty string', invalidMessage('sub'));

  const lis = obj(claims[CLAIM.lis]);
  const base: Omit<LaunchBase, 'targetLinkUri'> = {
    issuer: registration.issuer,
    clientId: registration.clientId,
    deploymentId,
    roles: rawRoles as string[],
    context: readContext(claims[CLAIM.context]),
    custom: readCustom(claims[CLAIM.custom]),
    personSourcedId: str(lis?.person_sourcedid),
    courseSectionSourcedId: str(lis?.course_section_sourcedid),
    email: str(claims.email),
    name: str(claims.name),
    givenName: str(claims.given_name),
    familyName: str(claims.family_name),
    preferredUsername: str(claims.preferred_username),
    locale: str(presentation?.locale) ?? str(claims.locale),
    returnUrl,
    documentTarget: str(presentation?.document_target),
    ags: readAgs(claims[CLAIM.ags]),
    nrps: readNrps(claims[CLAIM.nrps]),
    claims,
  };

  if (messageType === 'LtiResourceLinkRequest') {
    if (!targetLinkUri) throw refuse('LTI13_CLAIM_MISSING', 'target_link_uri missing', missingMessage('target_link_uri'));
    // Lectern opens a book for a person: an anonymous launch has no one to open it for.
    if (!sub) throw refuse('LTI13_CLAIM_MISSING', 'sub missing (anonymous launch)', 'This LTI launch does not say who you are (your LMS sent it anonymously). Lectern needs to know who is reading.');
    const link = obj(claims[CLAIM.resourceLink]);
    const linkId = str(link?.id);
    if (!linkId) throw refuse('LTI13_CLAIM_MISSING', 'resource_link.id missing', missingMessage('resource_link.id'));
    return { ...base, messageType, sub, targetLinkUri, resourceLink: { id: linkId, title: str(link?.title), description: str(link?.description) }, deepLinking: null };
  }

  const settings = obj(claims[CLAIM.deepLinking]);
  if (!settings) throw refuse('LTI13_CLAIM_MISSING', 'deep_linking_settings missing', missingMessage('deep_linking_settings'));
  if (settings.deep_link_return_url === undefined) throw refuse('LTI13_CLAIM_MISSING', 'deep_link_return_url missing', missingMessage('deep_linking_settings.deep_link_return_url'));
  const deepLinkReturnUrl = httpUrl(settings.deep_link_return_url);
  if (!deepLinkReturnUrl) throw refuse('LTI13_CLAIM_INVALID', 'deep_link_return_url is not an http(s) URL', invalidMessage('deep_linking_settings.deep_link_return_url'));
  const acceptTypes = strings(settings.accept_types);
  if (!acceptTypes) throw refuse('LTI13_CLAIM_MISSING', 'accept_types missing or not an array', missingMessage('deep_linking_settings.accept_types'));
  const targets = strings(settings.accept_presentation_document_targets);
  if (!targets) throw refuse('LTI13_CLAIM_MISSING', 'accept_presentation_document_targets missing or not an array', missingMessage('deep_linking_settings.accept_presentation_document_targets'));
  return {
    ...base,
    messageType,
    sub,
    targetLinkUri,
    resourceLink: null,
    deepLinking: {
      deepLinkReturnUrl,
      acceptTypes,
      acceptPresentationDocumentTargets: targets,
      acceptMediaTypes: str(settings.accept_media_types),
      acceptMultiple: settings.accept_multiple === true,
      acceptLineItem: settings.accept_lineitem === true,
      autoCreate: settings.auto_create === true,
      title: str(settings.title),
      text: str(settings.text),
      data: str(settings.data),
    },
  };
}

// What a failed jose verification means; an Lti13Error from the key resolver passes as it is.
function signatureFailure(err: unknown): Lti13Error {
  if (err instanceof Lti13Error) return err;
  if (err instanceof errors.JOSEAlgNotAllowed) return new Lti13Error('LTI13_ALG', err.message);
  if (err instanceof errors.JWSInvalid || err instanceof errors.JOSENotSupported) return new Lti13Error('LTI13_MALFORMED', err.message);
  if (err instanceof errors.JWSSignatureVerificationFailed) return new Lti13Error('LTI13_BAD_SIGNATURE', 'signature does not verify with the published key');
  // jose refuses keys it will not verify with (an RSA modulus under 2048 bits, say) with a TypeError.
  return new Lti13Error('LTI13_BAD_SIGNATURE', err instanceof Error ? err.message : String(err), { cause: err });
}

const missingMessage = (claim: string) => `This LTI launch is missing required information (${claim}). Ask your administrator to check the LMS's LTI 1.3 settings for Lectern.`;
const invalidMessage = (claim: string) => `This LTI launch carries information Lectern cannot use (${claim}). Ask your administrator to check the LMS's LTI 1.3 settings for Lectern.`;

function obj(value: unknown): Record<string, unknown> | null {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

function strings(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
}

function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}

function readContext(value: unknown): LtiContext | null {
  const context = obj(value);
  const id = str(context?.id);
  if (!context || !id) return null;
  return { id, label: str(context.label), title: str(context.title), type: strings(context.type) ?? [] };
}

// Custom parameters are strings by the spec; numbers and booleans some platforms send are kept as text.
function readCustom(value: unknown): Record<string, string> {
  // No prototype: a parameter named __proto__ or constructor stays a plain entry.
  const custom = Object.create(null) as Record<string, string>;
  for (const [name, v] of Object.entries(obj(value) ?? {})) {
    if (typeof v === 'string') custom[name] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') custom[name] = String(v);
  }
  return custom;
}

function readAgs(value: unknown): AgsEndpoint | null {
  const ags = obj(value);
  if (!ags) return null;
  return { scope: strings(ags.scope) ?? [], lineitems: httpUrl(ags.lineitems), lineitem: httpUrl(ags.lineitem) };
}

function readNrps(value: unknown): NrpsEndpoint | null {
  const nrps = obj(value);
  const url = httpUrl(nrps?.context_memberships_url);
  if (!nrps || !url) return null;
  return { contextMembershipsUrl: url, serviceVersions: strings(nrps.service_versions) ?? [] };
}
