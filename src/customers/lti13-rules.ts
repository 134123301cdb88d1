// The web console bundles this module to check the form as the server does: no node: imports here.
import type { FieldIssue } from '../errors.js';
import type { LtiPlatformInputT } from './customer-schema.js';

/** A platform registration as checked and trimmed, ready to store. */
export interface PlatformSettings {
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  authLoginUrl: string;
  authTokenUrl: string;
  jwksUrl: string;
}

/** Whether plain http may reach this host (LECTERN_OUTBOUND_ALLOW on the server; the console leaves it to the server). */
export type AllowsHttp = (hostname: string) => boolean;

/** Whether a customer of this LTI version launches with LTI 1.3 (has platforms and tool values). */
export function usesLti13(version: string): boolean {
  return version === '1.3' || version === 'both';
}

/**
 * Checks a customer's platform registrations and returns them trimmed. Field names are
 * `lti.platforms.<index>.<field>`, codes are stable: `platforms_need_lti13`, `issuer_format`,
 * `deployment_ids_empty`, `url_format`, `url_https_required`, `url_credentials`, `duplicate`.
 * The issuer is an identifier (the `iss` of the platform's tokens) and is never fetched.
 */
export function checkPlatforms(version: string, platforms: LtiPlatformInputT[], allowsHttp: AllowsHttp, issues: FieldIssue[]): PlatformSettings[] {
  if (!usesLti13(version) && platforms.length) {
    issues.push({ field: 'lti.platforms', message: 'Platform registrations are for LTI 1.3: choose LTI 1.3, or both.', code: 'platforms_need_lti13' });
    return [];
  }
  const seen = new Map<string, number>();
  return platforms.map((p, i) => {
    const at = (field: string) => `lti.platforms.${i}.${field}`;
    const issuer = p.issuer.trim();
    const issuerUrl = parseUrl(issuer);
    if (!issuerUrl || !['https:', 'http:'].includes(issuerUrl.protocol) || issuerUrl.search || issuerUrl.hash || issuer.includes('#') || issuerUrl.username || issuerUrl.password) {
      issues.push({
        field: at('issuer'),
        message: 'Enter the issuer exactly as the LMS gives it: an https:// URL without query or fragment, such as https://canvas.instructure.com.',
        code: 'issuer_format',
      });
    } else if (issuerUrl.protocol === 'http:' && !allowsHttp(issuerUrl.hostname)) {
      issues.push({ field: at('issuer'), message: 'An issuer uses https:// (http:// only for hosts allowed by LECTERN_OUTBOUND_ALLOW).', code: 'url_https_required' });
    }
    const clientId = p.clientId.trim();
    if (!clientId) issues.push({ field: at('clientId'), message: 'Enter the client id the LMS gave Lectern.', code: 'required' });
    const deploymentIds = [...new Set(p.deploymentIds.map((d) => d.trim()).filter(Boolean))];
    if (!deploymentIds.length) {
      issues.push({ field: at('deploymentIds'), message: 'Enter at least one deployment id: a launch from any other deployment is refused.', code: 'deployment_ids_empty' });
    }
    for (const field of ['authLoginUrl', 'authTokenUrl', 'jwksUrl'] as const) checkEndpoint(p[field].trim(), at(field), allowsHttp, issues);
    const key = `${issuer}\n${clientId}`;
    if (seen.has(key)) issues.push({ field: at('clientId'), message: `Platform ${(seen.get(key) ?? 0) + 1} already registers this client id of this issuer.`, code: 'duplicate' });
    else seen.set(key, i);
    return { issuer, clientId, deploymentIds, authLoginUrl: p.authLoginUrl.trim(), authTokenUrl: p.authTokenUrl.trim(), jwksUrl: p.jwksUrl.trim() };
  });
}

// An endpoint Lectern calls through the guarded outbound client: https, or http where the operator allows it.
function checkEndpoint(value: string, field: string, allowsHttp: AllowsHttp, issues: FieldIssue[]): void {
  const url = parseUrl(value);
  if (!url || !['https:', 'http:'].includes(url.protocol) || !url.hostname) {
    issues.push({ field, message: 'Enter an https:// URL.', code: 'url_format' });
  } else if (url.username || url.password) {
    issues.push({ field, message: 'The URL may not carry a user name or password.', code: 'url_credentials' });
  } else if (url.protocol === 'http:' && !allowsHttp(url.hostname)) {
    issues.push({ field, message: 'Use https:// (http:// only for hosts allowed by LECTERN_OUTBOUND_ALLOW).', code: 'url_https_required' });
  }
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
