/*
 * A fake LMS for LTI 1.3 (LTI Advantage) tests, written from the 1EdTech specs: a real HTTP server on
 * a loopback port that is the *platform* a tool is launched from. It publishes RS256 keys (JWKS with
 * Cache-Control), answers the OIDC authentication request with a form_post id_token (Security
 * Framework 1.0 §5.1), issues access tokens for JWT client assertions verified against the tool's
 * JWKS URL (§4.1), serves AGS 2.0 and NRPS 2.0 (./lti13-platform/services.ts), receives Deep
 * Linking 2.0 responses, and registers tools by Dynamic Registration 1.0. Every request is recorded
 * with the reason it was refused, so tests can assert what the tool sent.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, exportJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { claims, defaultMembers, DL, LTI, newSigningKey, signIdToken, TOOL_CONFIGURATION, type Context, type LaunchOptions, type Member, type SigningKey } from './lti13-platform/claims.js';
import { autoPostForm, bearer, escapeHtml, parseAutoPostForm, readBody, send } from './lti13-platform/http.js';
import { ALL_SCOPES, openidConfiguration, registrationDialogPage, registrationProblems } from './lti13-platform/registration.js';
import { coursePage, storageFramePage } from './lti13-platform/storage.js';
import type { AuthRequest, DeepLinkReturn, Lti13PlatformOptions, RegistrationRequest, TokenRequest, ToolClient } from './lti13-platform/types.js';
import { addLineItem, handleService, servicePaths, type IssuedToken, type LineItem, type ReceivedScore, type ServiceRequest, type ServiceState } from './lti13-platform/services.js';

export { AGS_ENDPOINT, DL, FORGERIES, LTI, NRPS_CLAIM, PLATFORM_CONFIGURATION, ROLES, SCOPES, TOOL_CONFIGURATION } from './lti13-platform/claims.js';
export type { Context, Forgery, LaunchOptions, Member } from './lti13-platform/claims.js';
export { MEDIA } from './lti13-platform/services.js';
export { STORAGE_FRAME } from './lti13-platform/storage.js';
export type { LineItem, ReceivedScore, ServiceRequest } from './lti13-platform/services.js';
export type { AuthRequest, DeepLinkReturn, Lti13PlatformOptions, RegistrationRequest, TokenRequest, ToolClient } from './lti13-platform/types.js';

interface PendingLaunch {
  loginHint: string;
  clientId: string;
  launch: LaunchOptions;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A running LTI 1.3 platform on 127.0.0.1. */
export class Lti13Platform {
  readonly origin: string;
  /** The issuer: the origin, so that Dynamic Registration's issuer-matches-origin check holds. */
  readonly issuer: string;
  readonly clientId: string;
  readonly deploymentId: string;
  readonly authLoginUrl: string;
  readonly authTokenUrl: string;
  readonly jwksUrl: string;
  readonly deepLinkReturnUrl: string;
  readonly openidConfigurationUrl: string;
  readonly registrationEndpoint: string;
  readonly lineItemsUrl: string;
  readonly membershipsUrl: string;
  readonly context: Context;
  readonly members: Member[];
  readonly clients = new Map<string, ToolClient>();
  readonly lineItems: LineItem[] = [];
  readonly scores: ReceivedScore[] = [];
  readonly serviceRequests: ServiceRequest[] = [];
  readonly authRequests: AuthRequest[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  readonly deepLinkReturns: DeepLinkReturn[] = [];
  readonly registrations: RegistrationRequest[] = [];
  /** The queries of visits to launch_presentation.return_url (a tool sends lti_errormsg, lti_msg, … there). */
  readonly returns: Record<string, string>[] = [];
  /** GET /jwks count, for tests of the tool's JWKS caching. */
  jwksFetches = 0;
  /** Outages to inject: the status GET /jwks or POST /token answers instead of working (null: no outage). */
  readonly faults: { jwksStatus: number | null; tokenStatus: number | null } = { jwksStatus: null, tokenStatus: null };
  /** Fields laid over the published OpenID configuration (another issuer, an http endpoint, …) for tests of a tool's checks. */
  readonly configurationOverrides: Record<string, unknown> = {};
  /** Published keys, oldest first; the last one signs. */
  readonly keys: SigningKey[] = [];
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly pending = new Map<string, PendingLaunch>();
  private readonly deepLinkData = new Map<string, { clientId: string; acceptMultiple: boolean; acceptTypes: string[] }>();
  private readonly registrationTokens = new Map<string, number>();
  private readonly usedJtis = new Set<string>();
  private readonly usedDeepLinkNonces = new Set<string>();
  private readonly remoteJwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  private readonly state: ServiceState;

  private constructor(
    private readonly server: http.Server,
    origin: string,
    private readonly opts: Lti13PlatformOptions,
  ) {
    this.origin = origin;
    this.issuer = origin;
    this.clientId = opts.clientId ?? '10000000000042';
    this.deploymentId = opts.deploymentId ?? '1:deployment';
    this.authLoginUrl = `${origin}/authorize`;
    this.authTokenUrl = `${origin}/token`;
    this.jwksUrl = `${origin}/jwks`;
    this.deepLinkReturnUrl = `${origin}/deep-link-return`;
    this.openidConfigurationUrl = `${origin}/.well-known/openid-configuration`;
    this.registrationEndpoint = `${origin}/register`;
    this.context = { id: 'course-101', label: 'ENG 101', title: 'English 101', type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'], ...opts.context };
    this.members = opts.members ?? defaultMembers();
    const paths = servicePaths(this.context.id);
    this.lineItemsUrl = `${origin}${paths.lineItems}`;
    this.membershipsUrl = `${origin}${paths.memberships}`;
    this.state = {
      origin,
      context: this.context,
      members: this.members,
      lineItems: this.lineItems,
      scores: this.scores,
      tokens: this.tokens,
      serviceRequests: this.serviceRequests,
      pageSize: opts.pageSize ?? 2,
      lineItemQuery: opts.lineItemQuery ?? '',
    };
    this.registerTool({
      clientId: this.clientId,
      deploymentIds: [this.deploymentId],
      jwksUrl: opts.toolJwksUrl ?? '',
      redirectUris: opts.toolRedirectUris ?? null,
      targetLinkUri: opts.toolTargetLinkUri ?? opts.toolRedirectUris?.[0] ?? '',
    });
  }

  /** Starts a platform on 127.0.0.1 with one registered client and deployment. */
  static async start(opts: Lti13PlatformOptions = {}): Promise<Lti13Platform> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const platform = new Lti13Platform(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, opts);
    platform.keys.push(await newSigningKey());
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      platform.route(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
    });
    return platform;
  }

  /** Registers (or replaces) a tool client; unspecified fields get a fresh client id and deployment. */
  registerTool(client: Partial<ToolClient>): ToolClient {
    const full: ToolClient = {
      clientId: client.clientId ?? String(10000000000000 + crypto.randomInt(1, 2 ** 40)),
      deploymentIds: client.deploymentIds ?? [`${crypto.randomInt(1, 1000)}:${crypto.randomUUID()}`],
      jwksUrl: client.jwksUrl ?? '',
      redirectUris: client.redirectUris ?? null,
      targetLinkUri: client.targetLinkUri ?? client.redirectUris?.[0] ?? '',
      scopes: client.scopes ?? ALL_SCOPES,
    };
    this.clients.set(full.clientId, full);
    return full;
  }

  /** The default client (as registered at start). */
  get client(): ToolClient {
    return this.clients.get(this.clientId)!;
  }

  /** Publishes and starts signing with a new key; `retireOld` also drops the older keys from the JWKS. Returns the new kid. */
  async rotateKey(opts: { retireOld?: boolean } = {}): Promise<string> {
    const key = await newSigningKey();
    if (opts.retireOld) this.keys.splice(0, this.keys.length);
    this.keys.push(key);
    return key.kid;
  }

  /** The published JWKS. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: await Promise.all(this.keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: 'RS256', use: 'sig' }))) };
  }

  /**
   * Third-party login initiation (Core 1.3 §4.1): the URL the browser is sent to (GET) and the same
   * parameters as form fields (POST). The launch is remembered under its lti_message_hint until the
   * tool's authentication request comes back.
   */
  loginInitiation(toolLoginUrl: string, launch: LaunchOptions = {}, opts: { storageTarget?: string } = {}): { url: string; fields: Record<string, string> } {
    const clientId = launch.clientId ?? this.clientId;
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`no client ${clientId}`);
    const messageHint = crypto.randomUUID();
    const loginHint = `login-${this.member(launch).user_id}`;
    this.pending.set(messageHint, { loginHint, clientId, launch });
    const fields = {
      iss: this.issuer,
      login_hint: loginHint,
      target_link_uri: launch.targetLinkUri ?? client.targetLinkUri,
      lti_message_hint: messageHint,
      client_id: clientId,
      lti_deployment_id: launch.deploymentId ?? client.deploymentIds[0]!,
      // Client Side postMessages: the frame a tool may keep its state in when cookies are blocked.
      ...(opts.storageTarget ? { lti_storage_target: opts.storageTarget } : {}),
    };
    const url = new URL(toolLoginUrl);
    for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
    return { url: url.href, fields };
  }

  /**
   * Follows the tool's redirect to the auth endpoint (its 302 Location) over HTTP, as a browser
   * would, and returns the form the platform answers with, ready to post without a browser.
   */
  async authorize(location: string): Promise<{ action: string; fields: { id_token: string; state: string } }> {
    const res = await fetch(location, { redirect: 'manual' });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`authorize answered ${res.status}: ${text}`);
    const { action, fields } = parseAutoPostForm(text);
    return { action, fields: { id_token: fields.id_token ?? '', state: fields.state ?? '' } };
  }

  /** An id_token for `launch` with `nonce`, signed (or forged, by `launch.forge`) now, without the OIDC round trip. */
  async idToken(launch: LaunchOptions = {}, nonce: string = crypto.randomUUID()): Promise<string> {
    const clientId = launch.clientId ?? this.clientId;
    const client = this.clients.get(clientId);
    if (!client) throw new Error(`no client ${clientId}`);
    const messageType = launch.messageType ?? 'LtiResourceLinkRequest';
    const link = launch.resourceLink ?? { id: 'link-1', title: 'Chapter books' };
    let lineItemUrl: string | null = null;
    if (messageType === 'LtiResourceLinkRequest' && launch.lineItem !== false) {
      const item = this.lineItems.find((i) => i.resourceLinkId === link.id) ?? addLineItem(this.state, { label: link.title ?? link.id, scoreMaximum: 100, resourceLinkId: link.id });
      lineItemUrl = item.id;
    }
    const payload = claims(launch, {
      issuer: this.issuer,
      clientId,
      deploymentId: launch.deploymentId ?? client.deploymentIds[0]!,
      nonce,
      member: this.member(launch),
      context: this.context,
      targetLinkUri: launch.targetLinkUri ?? client.targetLinkUri,
      lineItemsUrl: this.lineItemsUrl,
      lineItemUrl,
      membershipsUrl: this.membershipsUrl,
      deepLinkReturnUrl: this.deepLinkReturnUrl,
    });
    const settings = payload[`${DL}deep_linking_settings`] as { data?: string; accept_multiple?: boolean; accept_types?: string[] } | undefined;
    if (settings?.data) this.deepLinkData.set(settings.data, { clientId, acceptMultiple: settings.accept_multiple !== false, acceptTypes: settings.accept_types ?? [] });
    return signIdToken(payload, this.keys.at(-1)!, launch.forge);
  }

  /** An access token granted directly (no client assertion), for tests of the services alone. */
  accessToken(scopes: string[], clientId: string = this.clientId): string {
    const token = crypto.randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId, scopes, expiresAt: Date.now() + (this.opts.tokenExpiresIn ?? 3600) * 1000 });
    return token;
  }

  /** Makes every issued access token invalid (as a revocation would). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /**
   * The URL the platform opens to start Dynamic Registration (§3.3): the tool's registration URL
   * (its own query kept) plus openid_configuration and a fresh single-use registration_token.
   */
  registrationUrl(toolRegistrationUrl: string): string {
    const token = crypto.randomBytes(24).toString('base64url');
    this.registrationTokens.set(token, Date.now() + 3600_000);
    const url = new URL(toolRegistrationUrl);
    url.searchParams.set('openid_configuration', this.openidConfigurationUrl);
    url.searchParams.set('registration_token', token);
    return url.href;
  }

  /** The OpenID configuration with the LTI platform configuration claim (Dynamic Registration §3.4). */
  openidConfiguration(): Record<string, unknown> {
    return { ...openidConfiguration(this), ...this.configurationOverrides };
  }

  /** Stops the server. */
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private member(launch: LaunchOptions): Member {
    const member = launch.userId ? this.members.find((m) => m.user_id === launch.userId) : this.members.find((m) => m.roles.some((r) => r.endsWith('#Learner')));
    if (!member) throw new Error(`no member ${launch.userId ?? '(learner)'}`);
    return member;
  }

  private jwksFor(url: string): ReturnType<typeof createRemoteJWKSet> {
    let set = this.remoteJwks.get(url);
    if (!set) this.remoteJwks.set(url, (set = createRemoteJWKSet(new URL(url), { cacheMaxAge: this.opts.toolJwksCacheMs ?? 0, cooldownDuration: this.opts.toolJwksCacheMs ?? 0 })));
    return set;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    switch (url.pathname) {
      case '/jwks':
        this.jwksFetches++;
        if (this.faults.jwksStatus !== null) return send(res, this.faults.jwksStatus, { error: 'unavailable' });
        return send(res, 200, await this.jwks(), { 'cache-control': `max-age=${this.opts.jwksMaxAge ?? 300}` });
      case '/authorize':
        return this.handleAuthorize(req, res, url);
      case '/token':
        if (this.faults.tokenStatus !== null) return send(res, this.faults.tokenStatus, { error: 'temporarily_unavailable' });
        return this.handleToken(req, res);
      case '/deep-link-return':
        return this.handleDeepLinkReturn(req, res);
      case '/.well-known/openid-configuration':
        return send(res, 200, this.openidConfiguration());
      case '/register':
        return this.handleRegister(req, res);
      // The admin's registration dialog framing a tool's registration URL (?url=, as registrationUrl() builds it).
      case '/lms/registration':
        return send(res, 200, registrationDialogPage(url.searchParams.get('url') ?? ''));
      // A course page framing the tool (?tool=<login initiation URL>) beside the platform storage frame.
      case '/lms/course':
        return send(res, 200, coursePage(url.searchParams.get('tool') ?? '', url.searchParams.get('tamper') === '1'));
      case '/lms/storage-frame':
        return send(res, 200, storageFramePage(url.searchParams.get('tamper') === '1'));
    }
    if (url.pathname === `/courses/${this.context.id}/return`) {
      this.returns.push(Object.fromEntries(url.searchParams));
      return send(res, 200, `<!doctype html><title>Back in the course</title><p>${escapeHtml(url.searchParams.get('lti_errormsg') ?? url.searchParams.get('lti_msg') ?? '')}</p>`);
    }
    if (!(await handleService(this.state, req, res, url))) send(res, 404, { error: 'not found' });
  }

  /** The OIDC authentication request (Security Framework §5.1.1.2); answers the form_post of §5.1.1.3. */
  private async handleAuthorize(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const params = Object.fromEntries(req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams);
    const client = this.clients.get(params.client_id ?? '');
    const pending = this.pending.get(params.lti_message_hint ?? '');
    const problems = [
      (params.scope ?? '').split(' ').includes('openid') ? '' : 'scope must include openid',
      params.response_type === 'id_token' ? '' : 'response_type must be id_token',
      params.response_mode === 'form_post' ? '' : 'response_mode must be form_post',
      params.prompt === 'none' ? '' : 'prompt must be none',
      client ? '' : 'unknown client_id',
      client && params.redirect_uri && (client.redirectUris === null || client.redirectUris.includes(params.redirect_uri)) ? '' : 'redirect_uri not registered',
      pending ? '' : 'lti_message_hint not echoed',
      pending && params.login_hint === pending.loginHint ? '' : 'login_hint not echoed',
      pending && pending.clientId === params.client_id ? '' : 'client_id differs from the login initiation',
      params.state ? '' : 'state missing',
      params.nonce ? '' : 'nonce missing',
    ].filter(Boolean);
    const problem = problems.join(', ');
    this.authRequests.push({ method: req.method ?? 'GET', params, status: problem ? 400 : 200, problem });
    if (problem) return send(res, 400, `<!doctype html><title>Launch refused</title><p>${escapeHtml(problem)}</p>`);
    this.pending.delete(params.lti_message_hint!);
    const idToken = await this.idToken(pending!.launch, params.nonce);
    send(res, 200, autoPostForm(params.redirect_uri!, { id_token: idToken, state: params.state! }));
  }

  /** The client-credentials grant with a JWT client assertion (Security Framework §4.1, RFC 7523). */
  private async handleToken(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const assertion = form.get('client_assertion') ?? '';
    const scope = form.get('scope') ?? '';
    let clientId = '';
    const refuse = (status: number, error: string, problem: string) => {
      this.tokenRequests.push({ clientId, scope, status, problem });
      send(res, status, { error, error_description: problem });
    };
    if (form.get('grant_type') !== 'client_credentials') return refuse(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.get('client_assertion_type') !== JWT_BEARER) return refuse(400, 'invalid_request', 'client_assertion_type must be jwt-bearer');
    try {
      clientId = String(decodeJwt(assertion).iss ?? '');
    } catch {
      return refuse(400, 'invalid_request', 'client_assertion is not a JWT');
    }
    const client = this.clients.get(clientId);
    if (!client?.jwksUrl) return refuse(401, 'invalid_client', client ? 'no JWKS URL registered for the client' : 'unknown client');
    if (form.has('client_id') && form.get('client_id') !== clientId) return refuse(401, 'invalid_client', "client_id differs from the assertion's iss");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(assertion, this.jwksFor(client.jwksUrl), {
        algorithms: ['RS256'],
        issuer: clientId,
        subject: clientId,
        audience: this.authTokenUrl,
        requiredClaims: ['exp', 'iat', 'jti'],
        clockTolerance: 5,
      }));
    } catch (error) {
      return refuse(401, 'invalid_client', `client_assertion: ${(error as Error).message}`);
    }
    if (this.usedJtis.has(payload.jti!)) return refuse(401, 'invalid_client', 'client_assertion jti replayed');
    this.usedJtis.add(payload.jti!);
    const requested = scope.split(' ').filter(Boolean);
    if (!requested.length || requested.some((s) => !client.scopes.includes(s))) return refuse(400, 'invalid_scope', `scope not allowed: ${scope}`);
    const expiresIn = this.opts.tokenExpiresIn ?? 3600;
    const token = this.accessToken(requested, clientId);
    this.tokenRequests.push({ clientId, scope, status: 200, problem: '' });
    send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: requested.join(' ') });
  }

  /** A Deep Linking response form-posted as `JWT` (Deep Linking 2.0 §4.5). */
  private async handleDeepLinkReturn(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const jwt = new URLSearchParams(await readBody(req)).get('JWT') ?? '';
    const refuse = (problem: string, payload: JWTPayload | null = null) => {
      this.deepLinkReturns.push({ jwt, status: 400, problem, claims: payload, contentItems: [] });
      send(res, 400, `<!doctype html><title>Content not added</title><p>${escapeHtml(problem)}</p>`);
    };
    let iss: string;
    try {
      iss = String(decodeJwt(jwt).iss ?? '');
    } catch {
      return refuse('JWT missing or malformed');
    }
    const client = this.clients.get(iss);
    if (!client?.jwksUrl) return refuse(client ? 'no JWKS URL registered for the client' : 'iss is not a registered client_id');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, this.jwksFor(client.jwksUrl), {
        algorithms: ['RS256'],
        issuer: client.clientId,
        audience: this.issuer,
        requiredClaims: ['exp', 'iat', 'nonce'],
        clockTolerance: 5,
      }));
    } catch (error) {
      return refuse(`JWT: ${(error as Error).message}`);
    }
    const items = (payload[`${DL}content_items`] ?? []) as Record<string, unknown>[];
    const data = payload[`${DL}data`];
    const request = typeof data === 'string' ? this.deepLinkData.get(data) : undefined;
    const problems = [
      payload[`${LTI}message_type`] === 'LtiDeepLinkingResponse' ? '' : 'message_type must be LtiDeepLinkingResponse',
      payload[`${LTI}version`] === '1.3.0' ? '' : 'version must be 1.3.0',
      client.deploymentIds.includes(String(payload[`${LTI}deployment_id`])) ? '' : 'deployment_id not registered',
      this.usedDeepLinkNonces.has(String(payload.nonce)) ? 'nonce replayed' : '',
      request && request.clientId === client.clientId ? '' : 'data does not echo a deep linking request of this client',
      Array.isArray(items) ? '' : 'content_items must be an array',
      Array.isArray(items) && items.length > 1 && request && !request.acceptMultiple ? 'several items where accept_multiple is false' : '',
      Array.isArray(items) && request && items.some((i) => !request.acceptTypes.includes(String(i.type))) ? 'an item type the request did not accept' : '',
    ].filter(Boolean);
    if (problems.length) return refuse(problems.join(', '), payload);
    this.usedDeepLinkNonces.add(String(payload.nonce));
    this.deepLinkData.delete(data as string);
    this.deepLinkReturns.push({ jwt, status: 200, problem: '', claims: payload, contentItems: items });
    send(res, 200, `<!doctype html><title>Content added</title><p>${items.length} item(s) added</p>`);
  }

  /** The client registration request of Dynamic Registration §3.5, answered as in §3.6. */
  private async handleRegister(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const refuse = (status: number, error: string, problem: string, body: Record<string, unknown> | null = null) => {
      this.registrations.push({ status, problem, body, client: null });
      send(res, status, { error, error_description: problem });
    };
    if (req.method !== 'POST') return refuse(405, 'invalid_request', 'POST only');
    const token = bearer(req);
    const expiresAt = this.registrationTokens.get(token);
    if (!token || !expiresAt || expiresAt < Date.now()) return refuse(401, 'invalid_token', 'registration_token missing, unknown, used or expired');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return refuse(400, 'invalid_client_metadata', 'body is not JSON');
    }
    const problems = registrationProblems(body, String(req.headers['content-type']));
    if (problems.length) return refuse(400, 'invalid_client_metadata', problems.join(', '), body);
    this.registrationTokens.delete(token);
    const requested = String(body.scope ?? '')
      .split(' ')
      .filter(Boolean);
    const redirectUris = (body.redirect_uris as unknown[]).map(String);
    const tool = body[TOOL_CONFIGURATION] as { target_link_uri?: string };
    const client = this.registerTool({
      jwksUrl: String(body.jwks_uri),
      redirectUris,
      targetLinkUri: tool.target_link_uri ?? redirectUris[0]!,
      scopes: requested.filter((s) => ALL_SCOPES.includes(s)),
    });
    this.registrations.push({ status: 200, problem: '', body, client });
    send(res, 200, { ...body, client_id: client.clientId, scope: client.scopes.join(' '), [TOOL_CONFIGURATION]: { ...tool, deployment_id: client.deploymentIds[0] } });
  }
}
