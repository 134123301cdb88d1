/*
 * LTI Dynamic Registration 1.0, the tool's side. An LMS administrator pastes a customer's one-time
 * registration URL (/lti/1.3/register/<code>?token=…) into the LMS, which opens it with
 * `openid_configuration` (where its OpenID configuration is) and `registration_token` (§3.3). Lectern
 * then:
 * 1. spends the customer's one-time token (compare-and-set, so of two opens of one link one goes on):
 *    without it, anyone who knows a customer code could register their own LMS and sign in as any
 *    of its students;
 * 2. fetches the configuration through the guarded outbound client and checks it (§3.4, §3.5.1): its
 *    issuer has the configuration URL's origin (an LMS cannot speak for another host), the endpoints
 *    are https, RS256 id_tokens are offered;
 * 3. posts its tool configuration to the registration endpoint with the registration token (§3.5.2);
 * 4. stores the answer's client id and deployment as a 'dynamic' registration of the customer, in
 *    one transaction after the remote calls (a 1.1 customer becomes 'both'; the same issuer and
 *    client id registered again is updated, never duplicated).
 * When a remote call or a check fails nothing is stored and the token is given back, so the
 * administrator can try again from the LMS with the same link.
 */
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor } from '../accounts/policy.js';
import { AuditService } from '../audit/audit-service.js';
import { CustomerRepository } from '../customers/customer-repository.js';
import { toolValues } from '../customers/customer-presenter.js';
import { checkPlatforms, type PlatformSettings } from '../customers/lti13-rules.js';
import type { Database, LtiPlatform } from '../db/schema.js';
import { AppError, type FieldIssue } from '../errors.js';
import { OutboundError, type OutboundResponse } from '../security/outbound.js';
import { tokenDigest } from '../security/tokens.js';
import { Lti13Error } from './errors.js';
import { PlatformRepository } from './platform-repository.js';
import type { Lti13ServiceOptions } from './service-options.js';

/** The claim that carries a tool's LTI configuration in a registration request and its answer (§3.5.2). */
export const TOOL_CONFIGURATION_CLAIM = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
const PLATFORM_CONFIGURATION_CLAIM = 'https://purl.imsglobal.org/spec/lti-platform-configuration';

/** The service scopes Lectern asks for (AGS 2.0 §3.1, NRPS 2.0 §3.6.1), of those the platform offers. */
export const WANTED_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];

// The OpenID claims Lectern reads to find and name the person (src/lti/identity.ts).
const WANTED_CLAIMS = ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'];

// Who the audit log names for a registration: the LMS, holding the customer's one-time link.
const REGISTRATION_ACTOR: Actor = { userId: null, role: 'operator', customerId: null, label: 'LTI Dynamic Registration' };

const MAX_PARAM_CHARS = 8192;
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_REMOTE_MESSAGE_CHARS = 300;
const MAX_ID_CHARS = 1024;

/** What the LMS opened the registration URL with. */
export interface RegistrationRequest {
  customerCode: string;
  /** Lectern's one-time token (`token`). */
  token?: string;
  /** `openid_configuration`: the URL of the platform's OpenID configuration. */
  openidConfiguration?: string;
  /** `registration_token`: the platform's bearer token for its registration endpoint, when it gives one. */
  registrationToken?: string;
}

/** A completed registration. */
export interface Registered {
  platformId: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  /** The origin the LMS page was served from (the configuration URL's): the close message's target. */
  platformOrigin: string;
  /** True when an earlier registration of this issuer's client was updated rather than added. */
  updated: boolean;
}

/** The parts of the platform's OpenID configuration Lectern uses, checked. */
export interface PlatformConfiguration {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  registrationEndpoint: string;
  scopesSupported: string[] | null;
  claimsSupported: string[] | null;
  messagesSupported: string[] | null;
}

/** Runs Dynamic Registrations (see above). */
export class DynamicRegistration {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly opts: Lti13ServiceOptions & {
      /** Each remote call, redirects included (default 10 s). */
      timeoutMs?: number;
      /** Largest answer read from the platform (default 256 KiB). */
      maxBytes?: number;
    },
  ) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxBytes = opts.maxBytes ?? 256 * 1024;
  }

  /** Registers Lectern with the platform and stores the registration; throws Lti13Error (a page for the administrator). */
  async register(req: RegistrationRequest): Promise<Registered> {
    const long = Object.entries(req).find((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].length > MAX_PARAM_CHARS);
    if (long) throw new Lti13Error('LTI13_REGISTRATION_REQUEST', `${long[0]} is ${long[1].length} characters`, { message: 'This registration request is too long to be one Lectern handles.' });
    const platforms = new PlatformRepository(this.db);
    // The code only finds the customer; the token is the credential. Unknown codes and tokens answer alike.
    const customerId = req.token ? await new CustomerRepository(this.db).idByCodePlatformWide(req.customerCode) : undefined;
    if (!customerId || !req.token) throw new Lti13Error('LTI13_REGISTRATION_LINK', req.token ? `no customer has the code ${JSON.stringify(req.customerCode.slice(0, 100))}` : 'no token');
    const configurationUrl = parseConfigurationUrl(req.openidConfiguration);
    // It becomes an Authorization header: RFC 6750's token characters only, or the call could not be made.
    if (req.registrationToken && !BEARER_TOKEN.test(req.registrationToken)) {
      throw new Lti13Error('LTI13_REGISTRATION_REQUEST', 'registration_token is not a bearer token', { message: 'The registration_token your LMS sent is not a valid token.' });
    }
    const tokenHash = tokenDigest(req.token);
    const spentAt = this.now().toISOString();
    if (!(await platforms.useRegistrationToken(customerId, tokenHash, spentAt))) {
      throw new Lti13Error('LTI13_REGISTRATION_LINK', 'the token is unknown, used, expired or replaced');
    }
    try {
      // Checked after the token is spent, so only a link's holder learns it; the link works again once re-enabled.
      if ((await new CustomerRepository(this.db).findStatus(customerId)) !== 'active') {
        throw new Lti13Error('LTI13_REGISTRATION_DISABLED', `customer ${customerId} is disabled`);
      }
      const configuration = await this.fetchConfiguration(configurationUrl);
      const answer = await this.post(configuration, req.registrationToken);
      return await this.store(customerId, configuration, answer, configurationUrl.origin);
    } catch (err) {
      // Nothing was stored: the link works again (the platform's own registration token is its business).
      await platforms.releaseRegistrationToken(customerId, tokenHash, spentAt);
      throw err;
    }
  }

  /** The client registration request Lectern posts to a platform with this configuration (§3.5.2). */
  registrationRequest(configuration: PlatformConfiguration): Record<string, unknown> {
    const tool = toolValues(this.opts.publicUrl, null);
    const offered = (wanted: string[], supported: string[] | null) => (supported ? wanted.filter((w) => supported.includes(w)) : wanted);
    // A platform that lists its message types gets only those it launches; the simulator and Moodle refuse others.
    const messages = [
      { type: 'LtiResourceLinkRequest', label: 'Lectern' },
      { type: 'LtiDeepLinkingRequest', target_link_uri: tool.launchUrl, label: 'Lectern' },
    ].filter((m) => !configuration.messagesSupported || configuration.messagesSupported.includes(m.type));
    return {
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: tool.loginUrl,
      redirect_uris: [tool.launchUrl],
      client_name: 'Lectern',
      jwks_uri: tool.jwksUrl,
      logo_uri: `${this.opts.publicUrl}/favicon.svg`,
      token_endpoint_auth_method: 'private_key_jwt',
      // Without scopes_supported the platform says nothing of its services: ask for none rather than be refused.
      scope: (configuration.scopesSupported ? WANTED_SCOPES.filter((s) => configuration.scopesSupported!.includes(s)) : []).join(' '),
      [TOOL_CONFIGURATION_CLAIM]: {
        domain: new URL(this.opts.publicUrl).host,
        target_link_uri: tool.launchUrl,
        claims: offered(WANTED_CLAIMS, configuration.claimsSupported),
        messages,
      },
    };
  }

  private async fetchConfiguration(url: URL): Promise<PlatformConfiguration> {
    // No redirects: the issuer is checked against the URL the LMS named, so the answer must come from there.
    const res = await this.call(url.href, { method: 'GET', headers: { accept: 'application/json' } });
    if (res.status !== 200)
      throw new Lti13Error('LTI13_PLATFORM_UNREACHABLE', `GET ${url.href}: HTTP ${res.status}`, { message: `Your LMS answered HTTP ${res.status} for its OpenID configuration.` });
    const body = parseJson(res);
    if (!body) throw configurationError(`GET ${url.href}: not a JSON object`, 'it is not a JSON object');
    return checkConfiguration(body, url);
  }

  private async post(configuration: PlatformConfiguration, registrationToken: string | undefined): Promise<{ clientId: string; deploymentId: string }> {
    const res = await this.call(configuration.registrationEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(registrationToken ? { authorization: `Bearer ${registrationToken}` } : {}) },
      body: JSON.stringify(this.registrationRequest(configuration)),
    });
    const body = parseJson(res);
    if (res.status !== 200 && res.status !== 201) {
      const said = remoteMessage(body, res);
      throw new Lti13Error('LTI13_REGISTRATION_REFUSED', `POST ${configuration.registrationEndpoint}: HTTP ${res.status} ${said}`, {
        message: `Your LMS refused to register Lectern (HTTP ${res.status})${said ? `: ${said}` : '.'}`,
      });
    }
    const clientId = body?.client_id;
    const tool = body?.[TOOL_CONFIGURATION_CLAIM] as Record<string, unknown> | undefined;
    const deploymentId = tool?.deployment_id;
    if (!isId(clientId)) throw answerError('the answer has no client_id');
    // Launches from an unregistered deployment are refused, so a registration without one could never launch.
    if (!isId(deploymentId)) throw answerError(`the answer's ${TOOL_CONFIGURATION_CLAIM} has no deployment_id`);
    return { clientId, deploymentId };
  }

  private async store(customerId: string, configuration: PlatformConfiguration, answer: { clientId: string; deploymentId: string }, platformOrigin: string): Promise<Registered> {
    const now = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const platforms = new PlatformRepository(trx);
      const holder = await platforms.customerOfPlatformWide(configuration.issuer, answer.clientId);
      if (holder && holder !== customerId) throw new Lti13Error('LTI13_REGISTRATION_CONFLICT', `${configuration.issuer} client ${answer.clientId} belongs to customer ${holder}`);
      const existing = holder ? (await platforms.listForCustomer(customerId)).find((p) => p.issuer === configuration.issuer && p.client_id === answer.clientId) : undefined;
      const fields = {
        issuer: configuration.issuer,
        client_id: answer.clientId,
        // A second deployment of the same client (another course or sub-account) adds to the list.
        deployment_ids: JSON.stringify([...new Set([...(existing ? (JSON.parse(existing.deployment_ids) as string[]) : []), answer.deploymentId])]),
        auth_login_url: configuration.authorizationEndpoint,
        auth_token_url: configuration.tokenEndpoint,
        jwks_url: configuration.jwksUri,
      };
      let platform: LtiPlatform;
      if (existing) {
        await platforms.update(customerId, existing.id, fields, now);
        platform = { ...existing, ...fields, updated_at: now };
      } else {
        platform = { id: crypto.randomUUID(), customer_id: customerId, ...fields, origin: 'dynamic', created_at: now, updated_at: now };
        await platforms.insert(platform);
      }
      const customers = new CustomerRepository(trx);
      const customer = await customers.find(customerId);
      const changed = ['lti.platforms'];
      // A 1.1 customer starts its move to 1.3 and keeps its consumer key meanwhile.
      if (customer?.customer.lti_version === '1.1') {
        await customers.update(customerId, { lti_version: 'both', updated_at: now });
        changed.push('lti.version');
      }
      await new AuditService(trx).record(REGISTRATION_ACTOR, { customerId, action: 'customer.lti13_platform_registered', targetType: 'lti_platform', targetId: platform.id, fields: changed });
      return { platformId: platform.id, issuer: platform.issuer, clientId: platform.client_id, deploymentId: answer.deploymentId, platformOrigin, updated: Boolean(existing) };
    });
  }

  // One bounded call through the guard; its refusals and failures become pages that say what happened.
  private async call(url: string, req: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }): Promise<OutboundResponse> {
    try {
      return await this.opts.outbound.request(url, { ...req, timeoutMs: this.timeoutMs, maxBytes: this.maxBytes, maxRedirects: 0 });
    } catch (err) {
      if (err instanceof AppError && err.code === 'OUTBOUND_FORBIDDEN') {
        throw new Lti13Error('LTI13_PLATFORM_FORBIDDEN', `${req.method} ${url}: ${err.message}`, { message: err.message, cause: err });
      }
      if (err instanceof OutboundError) {
        throw new Lti13Error('LTI13_PLATFORM_UNREACHABLE', `${req.method} ${url}: ${err.message}`, {
          message: `Lectern could not reach your LMS to register (${err.message}). Please try again in a minute.`,
          cause: err,
        });
      }
      throw err;
    }
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }
}

/**
 * Checks the platform's OpenID configuration (Dynamic Registration §3.4, §3.5.1) fetched from
 * `from`: the required fields, RS256, an issuer with the configuration URL's origin, and endpoints
 * Lectern may call (the rules of a registration entered by hand).
 */
export function checkConfiguration(body: Record<string, unknown>, from: URL): PlatformConfiguration {
  const text = (name: string): string => {
    const value = body[name];
    if (typeof value !== 'string' || !value.trim()) throw configurationError(`${name} missing`, `it has no ${name}`);
    return value.trim();
  };
  const list = (name: string): string[] | null => {
    const value = body[name];
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
  };
  const configuration: PlatformConfiguration = {
    issuer: text('issuer'),
    authorizationEndpoint: text('authorization_endpoint'),
    tokenEndpoint: text('token_endpoint'),
    jwksUri: text('jwks_uri'),
    registrationEndpoint: text('registration_endpoint'),
    scopesSupported: list('scopes_supported'),
    claimsSupported: list('claims_supported'),
    messagesSupported: messageTypes(body[PLATFORM_CONFIGURATION_CLAIM]),
  };
  if (!list('id_token_signing_alg_values_supported')?.includes('RS256')) {
    throw configurationError('id_token_signing_alg_values_supported lacks RS256', 'it does not sign id_tokens with RS256, which LTI 1.3 requires');
  }
  // §3.5.1: the configuration speaks for its own host only, so a page cannot register another LMS's issuer.
  if (!URL.canParse(configuration.issuer) || new URL(configuration.issuer).origin !== from.origin) {
    throw configurationError(
      `issuer ${configuration.issuer} is not on ${from.origin}`,
      `its issuer (${configuration.issuer.slice(0, 200)}) is not on ${from.origin}, where the configuration was fetched from`,
    );
  }
  // Plain http only where the guard just fetched the configuration over http: a host the operator allowed.
  const allowsHttp = (hostname: string) => from.protocol === 'http:' && hostname === from.hostname;
  const issues: FieldIssue[] = [];
  const settings: PlatformSettings = {
    issuer: configuration.issuer,
    clientId: 'pending',
    deploymentIds: ['pending'],
    authLoginUrl: configuration.authorizationEndpoint,
    authTokenUrl: configuration.tokenEndpoint,
    jwksUrl: configuration.jwksUri,
  };
  checkPlatforms('1.3', [settings], allowsHttp, issues);
  const registration = URL.canParse(configuration.registrationEndpoint) ? new URL(configuration.registrationEndpoint) : null;
  if (!registration || !(registration.protocol === 'https:' || (registration.protocol === 'http:' && allowsHttp(registration.hostname)))) {
    issues.push({ field: 'lti.platforms.0.registrationEndpoint', message: 'Use https://.', code: 'url_https_required' });
  }
  if (issues.length) {
    const named = issues.map((i) => ({ name: CONFIGURATION_NAMES[i.field.replace(/^lti\.platforms\.0\./, '')] ?? i.field, ...i }));
    throw configurationError(named.map((i) => `${i.name} ${i.code ?? ''}`).join(', '), named.map((i) => `${i.name}: ${i.message.replace(/\.$/, '')}`).join('; '));
  }
  return configuration;
}

const CONFIGURATION_NAMES: Record<string, string> = {
  issuer: 'issuer',
  authLoginUrl: 'authorization_endpoint',
  authTokenUrl: 'token_endpoint',
  jwksUrl: 'jwks_uri',
  registrationEndpoint: 'registration_endpoint',
};

function parseConfigurationUrl(value: string | undefined): URL {
  if (!value) throw new Lti13Error('LTI13_REGISTRATION_REQUEST', 'no openid_configuration');
  if (!URL.canParse(value)) throw new Lti13Error('LTI13_REGISTRATION_REQUEST', 'openid_configuration is not a URL', { message: 'The openid_configuration your LMS sent is not a URL.' });
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Lti13Error('LTI13_REGISTRATION_REQUEST', `openid_configuration is a ${url.protocol} URL`, { message: 'The openid_configuration your LMS sent is not a web address.' });
  if (url.username || url.password || url.hash)
    throw new Lti13Error('LTI13_REGISTRATION_REQUEST', 'openid_configuration has credentials or a fragment', { message: 'The openid_configuration your LMS sent is not a plain URL.' });
  return url;
}

function messageTypes(platformConfiguration: unknown): string[] | null {
  const messages = (platformConfiguration as { messages_supported?: unknown } | null)?.messages_supported;
  if (!Array.isArray(messages)) return null;
  return messages.map((m) => (m as { type?: unknown } | null)?.type).filter((t): t is string => typeof t === 'string');
}

function parseJson(res: OutboundResponse): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(res.body.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * What a platform said when it refused: RFC 7591's error_description or error, Canvas's errors list,
 * else the start of its text; one line, bounded (it is shown to the administrator, escaped).
 */
export function remoteMessage(body: Record<string, unknown> | null, res: Pick<OutboundResponse, 'body'>): string {
  const errors = Array.isArray(body?.errors)
    ? (body.errors as unknown[]).map((e) => (typeof e === 'string' ? e : [(e as { field?: unknown })?.field, (e as { message?: unknown })?.message].filter((x) => typeof x === 'string').join(' ')))
    : [];
  const said = [body?.error_description, body?.error, errors.join('; ')].find((v): v is string => typeof v === 'string' && v.trim() !== '') ?? (body ? '' : res.body.toString('utf8', 0, 2048));
  const line = said
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > MAX_REMOTE_MESSAGE_CHARS ? `${line.slice(0, MAX_REMOTE_MESSAGE_CHARS)}…` : line;
}

const isId = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '' && value.length <= MAX_ID_CHARS && !/\p{Cc}/u.test(value);

function configurationError(log: string, why: string): Lti13Error {
  return new Lti13Error('LTI13_PLATFORM_CONFIGURATION', `openid configuration: ${log}`, { message: `Your LMS's OpenID configuration cannot be used to register Lectern: ${why}.` });
}

function answerError(why: string): Lti13Error {
  return new Lti13Error('LTI13_REGISTRATION_INVALID', why, {
    message: `Your LMS's answer to the registration cannot be used: ${why}. Nothing was stored; ask the LMS's administrator to remove the half-made registration there.`,
  });
}
