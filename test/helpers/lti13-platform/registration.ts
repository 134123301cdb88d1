/*
 * Dynamic Registration 1.0 for the test platform: the OpenID configuration it publishes (§3.4) and
 * the checks of a tool's client registration request (§3.5).
 */
import { PLATFORM_CONFIGURATION, SCOPES, TOOL_CONFIGURATION } from './claims.js';
import { escapeHtml } from './http.js';

/** Every service scope the platform knows. */
export const ALL_SCOPES: string[] = [SCOPES.lineItem, SCOPES.lineItemReadonly, SCOPES.resultReadonly, SCOPES.score, SCOPES.memberships];

/** The message types the platform launches. */
const SUPPORTED_MESSAGES = ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'];

/** The platform's endpoints as the configuration names them. */
export interface PlatformEndpoints {
  issuer: string;
  authLoginUrl: string;
  authTokenUrl: string;
  jwksUrl: string;
  registrationEndpoint: string;
}

/** The OpenID configuration with the LTI platform configuration claim. */
export function openidConfiguration(p: PlatformEndpoints): Record<string, unknown> {
  return {
    issuer: p.issuer,
    authorization_endpoint: p.authLoginUrl,
    token_endpoint: p.authTokenUrl,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    jwks_uri: p.jwksUrl,
    registration_endpoint: p.registrationEndpoint,
    scopes_supported: ['openid', ...ALL_SCOPES],
    response_types_supported: ['id_token'],
    subject_types_supported: ['public', 'pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    claims_supported: ['sub', 'iss', 'name', 'given_name', 'family_name', 'email'],
    [PLATFORM_CONFIGURATION]: {
      product_family_code: 'lectern-test-lms',
      version: '1.0',
      messages_supported: [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest', placements: ['ContentArea'] }],
      variables: ['CourseSection.sourcedId', 'Person.sourcedId'],
    },
  };
}

/** What is wrong with a client registration request (an empty list when it is acceptable). */
export function registrationProblems(body: Record<string, unknown>, contentType: string): string[] {
  const isUrl = (v: unknown) => typeof v === 'string' && URL.canParse(v);
  const list = (v: unknown) => (Array.isArray(v) ? (v as unknown[]) : []);
  const tool = (body[TOOL_CONFIGURATION] ?? null) as Record<string, unknown> | null;
  return [
    contentType.startsWith('application/json') ? '' : 'content type must be application/json',
    body.application_type === 'web' ? '' : 'application_type must be web',
    list(body.response_types).includes('id_token') ? '' : 'response_types must include id_token',
    list(body.grant_types).includes('implicit') && list(body.grant_types).includes('client_credentials') ? '' : 'grant_types must include implicit and client_credentials',
    isUrl(body.initiate_login_uri) ? '' : 'initiate_login_uri',
    list(body.redirect_uris).length && list(body.redirect_uris).every(isUrl) ? '' : 'redirect_uris',
    typeof body.client_name === 'string' && body.client_name ? '' : 'client_name',
    isUrl(body.jwks_uri) ? '' : 'jwks_uri',
    body.token_endpoint_auth_method === 'private_key_jwt' ? '' : 'token_endpoint_auth_method must be private_key_jwt',
    tool && typeof tool.domain === 'string' && tool.domain ? '' : `${TOOL_CONFIGURATION} with a domain`,
    !tool || tool.target_link_uri === undefined || isUrl(tool.target_link_uri) ? '' : 'target_link_uri',
    list(tool?.messages).every((m) => SUPPORTED_MESSAGES.includes(String((m as { type?: unknown }).type))) ? '' : 'a message type the platform does not support',
  ].filter(Boolean);
}

/**
 * The LMS admin's "register by URL" dialog: it frames the tool's registration URL (as the platform
 * opened it: with openid_configuration and registration_token) and keeps every message the frame
 * posts, with its origin, in `window.registrationMessages` (a real LMS closes the dialog on
 * org.imsglobal.lti.close, §3.6.3).
 */
export function registrationDialogPage(registrationUrl: string): string {
  return `<!doctype html><html lang="en"><head><title>Register a tool</title></head><body><h1>Register a tool</h1>
<script>window.registrationMessages = []; window.addEventListener('message', (e) => window.registrationMessages.push({ origin: e.origin, data: e.data }));</script>
<iframe title="Tool registration" src="${escapeHtml(registrationUrl)}" width="800" height="400"></iframe></body></html>`;
}
