/* The shapes the LTI 1.3 test platform is configured with and records. */
import type { JWTPayload } from 'jose';
import type { Context, Member } from './claims.js';

/** A tool registered with the platform (by hand through the options or registerTool, or by Dynamic Registration). */
export interface ToolClient {
  clientId: string;
  deploymentIds: string[];
  /** Where the platform fetches the tool's keys ('' until known: assertions and deep-link responses are then refused). */
  jwksUrl: string;
  /** The registered redirect URIs; null accepts any (for tests that do not know the tool's URL up front). */
  redirectUris: string[] | null;
  /** The default target_link_uri of launches. */
  targetLinkUri: string;
  /** The scopes the token endpoint grants this client. */
  scopes: string[];
}

/** Options of Lti13Platform.start. */
export interface Lti13PlatformOptions {
  /** The default client's JWKS URL. */
  toolJwksUrl?: string;
  /** The default client's redirect URIs (any when omitted). */
  toolRedirectUris?: string[];
  toolTargetLinkUri?: string;
  clientId?: string;
  deploymentId?: string;
  members?: Member[];
  context?: Partial<Context>;
  /** Cache-Control max-age of the JWKS, seconds (300). */
  jwksMaxAge?: number;
  /** expires_in of access tokens, seconds (3600). */
  tokenExpiresIn?: number;
  /** Page size of membership and line item listings without `limit` (2, so that paging happens). */
  pageSize?: number;
  /** A query every line item URL carries, e.g. `type_id=1` as Moodle's do. */
  lineItemQuery?: string;
  /**
   * How long the platform keeps a tool's JWKS, ms (0: fetched for every verification, so a test sees
   * each change of the tool's keys at once; raise it to model an LMS that caches, as real ones do).
   */
  toolJwksCacheMs?: number;
}

/** One OIDC authentication request as the platform saw it. */
export interface AuthRequest {
  method: string;
  params: Record<string, string>;
  status: number;
  problem: string;
}

/** One token request. */
export interface TokenRequest {
  clientId: string;
  scope: string;
  status: number;
  problem: string;
}

/** One Deep Linking response received at the return URL. */
export interface DeepLinkReturn {
  /** The JWT as posted, for a test to verify on its own. */
  jwt: string;
  status: number;
  problem: string;
  claims: JWTPayload | null;
  contentItems: Record<string, unknown>[];
}

/** One Dynamic Registration request. */
export interface RegistrationRequest {
  status: number;
  problem: string;
  body: Record<string, unknown> | null;
  client: ToolClient | null;
}
