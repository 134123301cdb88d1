/*
 * The id_token side of the LTI 1.3 test platform: claim names, the people and course it launches,
 * the claims of an LtiResourceLinkRequest or LtiDeepLinkingRequest (LTI Core 1.3 §5, Deep Linking
 * 2.0 §4.4, AGS 2.0 §3.1, NRPS 2.0 §3.6) and the forgeries a tool must refuse (Security Framework
 * 1.0 §5.1.3).
 */
import crypto from 'node:crypto';
import { base64url, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
export const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
export const AGS_ENDPOINT = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
export const NRPS_CLAIM = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
export const PLATFORM_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-platform-configuration';
export const TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

/** The AGS and NRPS scopes (AGS 2.0 §3.1, NRPS 2.0 §3.6.1). */
export const SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  memberships: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

/** Role URNs of LIS v2 (LTI Core 1.3 Appendix A). */
export const ROLES = {
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  student: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student',
  faculty: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty',
  administrator: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
} as const;

/** A person in the platform's course, in the shape NRPS 2.0 §2.2 lists members. */
export interface Member {
  user_id: string;
  status: 'Active' | 'Inactive' | 'Deleted';
  name: string;
  given_name: string;
  family_name: string;
  email: string;
  lis_person_sourcedid: string;
  roles: string[];
}

/** The course every launch happens in. */
export interface Context {
  id: string;
  label: string;
  title: string;
  type: string[];
}

/** The ways a test can break an id_token, one per check of Security Framework §5.1.3 and LTI Core §5.3. */
export const FORGERIES = [
  'alg-none',
  'hs256-public-key',
  'wrong-aud',
  'aud-array-without-azp',
  'expired',
  'iat-future',
  'unknown-kid',
  'unregistered-deployment',
  'missing-message-type',
  'wrong-nonce',
] as const;
export type Forgery = (typeof FORGERIES)[number];

/** What one launch carries; everything has a conformant default. */
export interface LaunchOptions {
  messageType?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';
  /** The member launching (their user_id, which becomes `sub`); the first learner by default. */
  userId?: string;
  /** Overrides the member's roles. */
  roles?: string[];
  /** The tool URL launched; the client's registered target link URI by default. */
  targetLinkUri?: string;
  custom?: Record<string, string>;
  resourceLink?: { id: string; title?: string; description?: string };
  /** Whether the AGS claim names a line item for the resource link (created on first use); true by default. */
  lineItem?: boolean;
  /** The AGS claim's scopes; false omits the claim. */
  agsScopes?: string[] | false;
  /** false omits the NRPS claim. */
  nrps?: boolean;
  returnUrl?: string;
  deepLinking?: { acceptTypes?: string[]; acceptPresentationDocumentTargets?: string[]; acceptMultiple?: boolean; autoCreate?: boolean; data?: string; acceptLineItem?: boolean };
  /** Claims merged last (a value of undefined removes the claim). */
  claims?: Record<string, unknown>;
  clientId?: string;
  deploymentId?: string;
  forge?: Forgery;
}

/** A platform signing key. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** A fresh RS256 key pair with a random kid. */
export async function newSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid: crypto.randomUUID(), privateKey, publicKey };
}

/** The default course roster: two learners and an instructor. */
export function defaultMembers(): Member[] {
  const person = (id: string, given: string, family: string, roles: string[]): Member => ({
    user_id: id,
    status: 'Active',
    name: `${given} ${family}`,
    given_name: given,
    family_name: family,
    email: `${given.toLowerCase()}.${family.toLowerCase()}@lms.example`,
    lis_person_sourcedid: `sis-${id}`,
    roles,
  });
  return [
    person('lms-user-1', 'Siân', 'Evans', [ROLES.learner, ROLES.student]),
    person('lms-user-2', 'Tomás', 'Ortiz', [ROLES.learner, ROLES.student]),
    person('lms-teacher-1', 'Ada', 'Park', [ROLES.instructor, ROLES.faculty]),
  ];
}

/** What claims() needs from the platform. */
export interface ClaimInputs {
  issuer: string;
  clientId: string;
  deploymentId: string;
  nonce: string;
  member: Member;
  context: Context;
  targetLinkUri: string;
  lineItemsUrl: string;
  lineItemUrl: string | null;
  membershipsUrl: string;
  deepLinkReturnUrl: string;
}

/** The payload of an id_token for `opts`, with every claim the specs require of its message type. */
export function claims(opts: LaunchOptions, inputs: ClaimInputs): JWTPayload {
  const messageType = opts.messageType ?? 'LtiResourceLinkRequest';
  const { member, context } = inputs;
  const payload: Record<string, unknown> = {
    iss: inputs.issuer,
    aud: inputs.clientId,
    sub: member.user_id,
    nonce: inputs.nonce,
    name: member.name,
    given_name: member.given_name,
    family_name: member.family_name,
    email: member.email,
    [`${LTI}message_type`]: messageType,
    [`${LTI}version`]: '1.3.0',
    [`${LTI}deployment_id`]: inputs.deploymentId,
    [`${LTI}target_link_uri`]: inputs.targetLinkUri,
    [`${LTI}roles`]: opts.roles ?? member.roles,
    [`${LTI}context`]: context,
    [`${LTI}tool_platform`]: { guid: `${inputs.issuer}/guid`, name: 'Test LMS', product_family_code: 'lectern-test-lms', version: '1.0' },
    [`${LTI}lis`]: { person_sourcedid: member.lis_person_sourcedid, course_section_sourcedid: `sis-${context.id}` },
    [`${LTI}launch_presentation`]: { document_target: 'iframe', return_url: opts.returnUrl ?? `${inputs.issuer}/courses/${context.id}/return`, locale: 'en' },
  };
  if (opts.custom) payload[`${LTI}custom`] = opts.custom;
  if (messageType === 'LtiResourceLinkRequest') payload[`${LTI}resource_link`] = opts.resourceLink ?? { id: 'link-1', title: 'Chapter books' };
  if (opts.agsScopes !== false) {
    payload[AGS_ENDPOINT] = {
      scope: opts.agsScopes ?? [SCOPES.lineItem, SCOPES.resultReadonly, SCOPES.score],
      lineitems: inputs.lineItemsUrl,
      ...(inputs.lineItemUrl ? { lineitem: inputs.lineItemUrl } : {}),
    };
  }
  if (opts.nrps !== false) payload[NRPS_CLAIM] = { context_memberships_url: inputs.membershipsUrl, service_versions: ['2.0'] };
  if (messageType === 'LtiDeepLinkingRequest') {
    const dl = opts.deepLinking ?? {};
    payload[`${DL}deep_linking_settings`] = {
      deep_link_return_url: inputs.deepLinkReturnUrl,
      accept_types: dl.acceptTypes ?? ['ltiResourceLink'],
      accept_presentation_document_targets: dl.acceptPresentationDocumentTargets ?? ['iframe', 'window'],
      accept_multiple: dl.acceptMultiple ?? true,
      auto_create: dl.autoCreate ?? true,
      data: dl.data ?? `dl-${crypto.randomUUID()}`,
      // Optional in Deep Linking 2.0 §4.4.1: absent unless a test sets it.
      ...(dl.acceptLineItem !== undefined ? { accept_lineitem: dl.acceptLineItem } : {}),
    };
  }
  for (const [name, value] of Object.entries(opts.claims ?? {})) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  return payload;
}

/**
 * Signs `payload` as the platform (RS256, the current key's kid), or forges the token `forge` names.
 * Payload-level forgeries (audience, times, deployment, message type, nonce) are applied here too,
 * so that a caller only passes the option.
 */
export async function signIdToken(payload: JWTPayload, key: SigningKey, forge?: Forgery): Promise<string> {
  const body: JWTPayload = { ...payload };
  const now = Math.floor(Date.now() / 1000);
  let iat = now;
  let exp = now + 300;
  switch (forge) {
    case 'wrong-aud':
      body.aud = 'some-other-client';
      break;
    case 'aud-array-without-azp':
      body.aud = [String(body.aud), 'some-other-client'];
      delete body.azp;
      break;
    case 'expired':
      iat = now - 3600;
      exp = now - 600;
      break;
    case 'iat-future':
      iat = now + 3600;
      exp = now + 3900;
      break;
    case 'unregistered-deployment':
      body[`${LTI}deployment_id`] = 'unregistered-deployment';
      break;
    case 'missing-message-type':
      delete body[`${LTI}message_type`];
      break;
    case 'wrong-nonce':
      body.nonce = `forged-${crypto.randomUUID()}`;
      break;
  }
  body.iat = iat;
  body.exp = exp;
  if (forge === 'alg-none') {
    const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
    return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(body)}.`;
  }
  if (forge === 'hs256-public-key') {
    // The classic key-confusion attack: HMAC keyed with the bytes of the platform's published public key.
    const secret = new TextEncoder().encode(await exportSPKI(key.publicKey));
    return new SignJWT(body).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: key.kid }).sign(secret);
  }
  const signer = forge === 'unknown-kid' ? await newSigningKey() : key;
  return new SignJWT(body).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: signer.kid }).sign(signer.privateKey);
}
