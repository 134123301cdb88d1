/*
 * The Add/Edit customer form's state: one string per input, keyed by the dotted API path the
 * input has as its `name`, and the conversions to and from the API's nested bodies.
 */
import i18next from 'i18next';
import type { LtiPlatformInputT, RosteringInput } from '../../../src/customers/customer-schema.js';
import { usesLti13 } from '../../../src/customers/lti13-rules.js';
import type { Customer, CustomerCreateInput, CustomerPatchInput } from '../types.js';

// Every input of the form, by the dotted API path it has as its `name`, in the order of the form.
// The form edits one platform registration, the first; more come by API or Dynamic Registration.
const FIELD_NAMES = [
  'profile.name',
  'profile.code',
  'profile.timeZone',
  'administrator.firstName',
  'administrator.lastName',
  'administrator.email',
  'administrator.phone',
  'administrator.password',
  'address.line1',
  'address.line2',
  'address.city',
  'address.region',
  'address.postalCode',
  'address.country',
  'lti.version',
  'lti.unmatchedUsers',
  'lti.syncRosterOnLaunch',
  'lti.platforms.0.issuer',
  'lti.platforms.0.clientId',
  'lti.platforms.0.deploymentIds',
  'lti.platforms.0.authLoginUrl',
  'lti.platforms.0.authTokenUrl',
  'lti.platforms.0.jwksUrl',
  'rostering.type',
  'rostering.oneRosterVersion',
  'rostering.syncType',
  'rostering.matchWith',
  'rostering.syncFrequency',
  'rostering.period',
  'rostering.suffix',
  'rostering.clientPartnerId',
  'rostering.url',
  'rostering.consumerKey',
  'rostering.secretKey',
  'rostering.authorization',
  'rostering.tokenUrl',
  'rostering.scope',
  'rostering.sftp.host',
  'rostering.sftp.port',
  'rostering.sftp.username',
  'rostering.sftp.password',
  'rostering.sftp.privateKey',
  'rostering.sftp.path',
  'rostering.sftp.fileName',
  'rostering.sftp.hostKeyFingerprint',
  'acceptTerms',
] as const;

/** A field of the form, named by its dotted API path. */
export type FieldName = (typeof FIELD_NAMES)[number];

/** The form's fields in the order they appear, for sorting error lists. */
export const FIELD_ORDER: readonly FieldName[] = FIELD_NAMES;

/** A field's label in the page's language (`customerForm:field.<path>`). */
export function fieldLabel(name: FieldName): string {
  return i18next.t(`customerForm:field.${name}` as string);
}

/** Every field's label, for the error summary. */
export function fieldLabels(): Record<string, string> {
  return Object.fromEntries(FIELD_NAMES.map((n) => [n, fieldLabel(n)]));
}

/** Every input's current text; the checkboxes (terms, sync after launch) are "true" or "". */
export type FormValues = Record<FieldName, string>;

/** Add creates a customer with its administrator; Edit changes one and keeps secrets left blank. */
export type FormMode = { kind: 'create' } | { kind: 'edit'; customer: Customer };

/** A blank Add form, with the defaults a new customer usually has. */
export function emptyValues(): FormValues {
  const values = Object.fromEntries(FIELD_NAMES.map((k) => [k, ''])) as FormValues;
  return {
    ...values,
    'profile.timeZone': 'America/Chicago',
    'lti.version': '1.1',
    'lti.unmatchedUsers': 'create',
    'rostering.type': 'none',
    'rostering.oneRosterVersion': '1.1',
    'rostering.authorization': 'oauth1-hmac-sha256',
    'rostering.sftp.port': '22',
  };
}

/** The Edit form for an existing customer; secret inputs start empty ("leave blank to keep"). */
export function valuesFromCustomer(c: Customer): FormValues {
  const r = c.rostering;
  return {
    ...emptyValues(),
    'profile.name': c.profile.name,
    'profile.code': c.profile.code,
    'profile.timeZone': c.profile.timeZone,
    'administrator.firstName': c.administrator.firstName,
    'administrator.lastName': c.administrator.lastName,
    'administrator.email': c.administrator.email,
    'administrator.phone': c.administrator.phone,
    'address.line1': c.address.line1,
    'address.line2': c.address.line2,
    'address.city': c.address.city,
    'address.region': c.address.region,
    'address.postalCode': c.address.postalCode,
    'address.country': c.address.country,
    'lti.version': c.lti.version,
    'lti.unmatchedUsers': c.lti.unmatchedUsers,
    'lti.syncRosterOnLaunch': c.lti.syncRosterOnLaunch ? 'true' : '',
    ...platformValues(c.lti.platforms[0]),
    'rostering.type': r.type,
    'rostering.oneRosterVersion': r.oneRosterVersion ?? '1.1',
    'rostering.syncType': r.syncType ?? '',
    'rostering.matchWith': r.matchWith ?? '',
    'rostering.syncFrequency': r.syncFrequency ?? '',
    'rostering.period': r.period ?? '',
    'rostering.suffix': r.suffix,
    'rostering.clientPartnerId': r.clientPartnerId ?? '',
    'rostering.authorization': r.authorization ?? 'oauth1-hmac-sha256',
    'rostering.consumerKey': r.consumerKey,
    'rostering.url': r.url,
    'rostering.tokenUrl': r.tokenUrl,
    'rostering.scope': r.scope,
    'rostering.sftp.host': r.sftp.host,
    'rostering.sftp.port': r.sftp.port === null ? '22' : String(r.sftp.port),
    'rostering.sftp.username': r.sftp.username,
    'rostering.sftp.path': r.sftp.path,
    'rostering.sftp.fileName': r.sftp.fileName,
    'rostering.sftp.hostKeyFingerprint': r.sftp.hostKeyFingerprint,
  };
}

/** The platform fields of the form, the platforms the form edits. */
export const PLATFORM_FIELDS = ['issuer', 'clientId', 'deploymentIds', 'authLoginUrl', 'authTokenUrl', 'jwksUrl'] as const;

function platformValues(p: Customer['lti']['platforms'][number] | undefined): Partial<FormValues> {
  if (!p) return {};
  return {
    'lti.platforms.0.issuer': p.issuer,
    'lti.platforms.0.clientId': p.clientId,
    'lti.platforms.0.deploymentIds': p.deploymentIds.join(', '),
    'lti.platforms.0.authLoginUrl': p.authLoginUrl,
    'lti.platforms.0.authTokenUrl': p.authTokenUrl,
    'lti.platforms.0.jwksUrl': p.jwksUrl,
  };
}

/** Whether the person started the form's platform registration (any of its fields filled). */
export function platformStarted(v: FormValues): boolean {
  return PLATFORM_FIELDS.some((f) => v[`lti.platforms.0.${f}`].trim() !== '');
}

/**
 * The platforms to send: none for LTI 1.1; otherwise the form's registration (when started) and,
 * on Edit, the customer's other registrations unchanged (the form shows the first only).
 */
export function platformsBody(v: FormValues, others: Customer['lti']['platforms'] = []): LtiPlatformInputT[] {
  if (!usesLti13(v['lti.version'])) return [];
  const rest = others.map(({ issuer, clientId, deploymentIds, authLoginUrl, authTokenUrl, jwksUrl }) => ({ issuer, clientId, deploymentIds, authLoginUrl, authTokenUrl, jwksUrl }));
  if (!platformStarted(v)) return rest;
  const first: LtiPlatformInputT = {
    issuer: v['lti.platforms.0.issuer'].trim(),
    clientId: v['lti.platforms.0.clientId'].trim(),
    // Commas, spaces or lines between ids, as LMSs list them.
    deploymentIds: v['lti.platforms.0.deploymentIds'].split(/[\s,]+/).filter(Boolean),
    authLoginUrl: v['lti.platforms.0.authLoginUrl'].trim(),
    authTokenUrl: v['lti.platforms.0.authTokenUrl'].trim(),
    jwksUrl: v['lti.platforms.0.jwksUrl'].trim(),
  };
  return [first, ...rest];
}

/**
 * Applies one change, keeping dependent fields consistent: ZIP Upload cannot run on a schedule,
 * so picking it turns Auto into Manual (the Auto option disappears at the same time).
 */
export function applyChange(values: FormValues, field: FieldName, value: string): FormValues {
  const next = { ...values, [field]: value };
  if (field === 'rostering.syncType' && value === 'zip' && next['rostering.syncFrequency'] === 'auto') next['rostering.syncFrequency'] = 'manual';
  if (field === 'address.country') next['address.country'] = value.toUpperCase();
  return next;
}

/** Whether the Period field (and the next-run hint) applies. */
export function showsPeriod(v: FormValues): boolean {
  return v['rostering.type'] === 'oneroster' && v['rostering.syncFrequency'] === 'auto' && v['rostering.syncType'] !== 'zip';
}

/** The port as a number, or undefined when it is not a whole number (the form reports that). */
export function portNumber(text: string): number | undefined {
  return /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

const opt = (s: string): string | undefined => (s.trim() === '' ? undefined : s);

/** The rostering part of the body: only the fields that apply to the chosen sync type. */
export function rosteringBody(v: FormValues): RosteringInput {
  if (v['rostering.type'] !== 'oneroster') return { type: 'none' };
  const syncType = opt(v['rostering.syncType']) as RosteringInput['syncType'];
  const r: RosteringInput = {
    type: 'oneroster',
    oneRosterVersion: (opt(v['rostering.oneRosterVersion']) ?? '1.1') as RosteringInput['oneRosterVersion'],
    syncType,
    matchWith: opt(v['rostering.matchWith']) as RosteringInput['matchWith'],
    syncFrequency: opt(v['rostering.syncFrequency']) as RosteringInput['syncFrequency'],
    suffix: v['rostering.suffix'].trim(),
    clientPartnerId: v['rostering.clientPartnerId'].trim(),
  };
  if (showsPeriod(v)) r.period = opt(v['rostering.period']) as RosteringInput['period'];
  if (syncType === 'sftp') {
    r.sftp = {
      host: v['rostering.sftp.host'].trim(),
      port: portNumber(v['rostering.sftp.port']),
      username: v['rostering.sftp.username'].trim(),
      password: opt(v['rostering.sftp.password']),
      privateKey: opt(v['rostering.sftp.privateKey']),
      path: v['rostering.sftp.path'].trim(),
      fileName: v['rostering.sftp.fileName'].trim(),
      hostKeyFingerprint: v['rostering.sftp.hostKeyFingerprint'].trim(),
    };
  }
  if (syncType === 'api') {
    const oauth2 = v['rostering.authorization'] === 'oauth2-client-credentials';
    Object.assign(r, {
      url: v['rostering.url'].trim(),
      consumerKey: v['rostering.consumerKey'].trim(),
      secretKey: opt(v['rostering.secretKey']),
      authorization: opt(v['rostering.authorization']),
      ...(oauth2 ? { tokenUrl: v['rostering.tokenUrl'].trim(), scope: v['rostering.scope'].trim() } : {}),
    });
  }
  return r;
}

function commonParts(v: FormValues) {
  return {
    profile: { name: v['profile.name'].trim(), code: v['profile.code'].trim(), timeZone: v['profile.timeZone'] },
    address: {
      line1: v['address.line1'].trim(),
      line2: v['address.line2'].trim(),
      city: v['address.city'].trim(),
      region: v['address.region'].trim(),
      postalCode: v['address.postalCode'].trim(),
      country: v['address.country'].trim(),
    },
    lti: {
      version: ltiVersion(v),
      unmatchedUsers: v['lti.unmatchedUsers'] === 'refuse' ? ('refuse' as const) : ('create' as const),
      // NRPS is LTI 1.3's: a 1.1 customer has no course to pull, whatever the hidden checkbox held.
      syncRosterOnLaunch: usesLti13(v['lti.version']) && v['lti.syncRosterOnLaunch'] === 'true',
    },
    rostering: rosteringBody(v),
  };
}

// The administrator's details both bodies share; the initial password only goes with Add.
function administrator(v: FormValues) {
  return {
    firstName: v['administrator.firstName'].trim(),
    lastName: v['administrator.lastName'].trim(),
    email: v['administrator.email'].trim(),
    phone: v['administrator.phone'].trim(),
  };
}

function ltiVersion(v: FormValues): '1.1' | '1.3' | 'both' {
  return v['lti.version'] === '1.3' || v['lti.version'] === 'both' ? v['lti.version'] : '1.1';
}

/** POST /api/customers body. */
export function createBody(v: FormValues): CustomerCreateInput {
  const common = commonParts(v);
  const platforms = platformsBody(v);
  return {
    ...common,
    lti: { ...common.lti, ...(platforms.length ? { platforms } : {}) },
    administrator: { ...administrator(v), password: v['administrator.password'] },
    acceptTerms: v.acceptTerms === 'true',
  };
}

/**
 * PATCH /api/customers/:id body (the administrator's password is theirs to change, not ours). The
 * platform list is sent whole: the form's first registration and the customer's others.
 */
export function patchBody(v: FormValues, customer?: Customer): CustomerPatchInput {
  const common = commonParts(v);
  return { ...common, lti: { ...common.lti, platforms: platformsBody(v, customer?.lti.platforms.slice(1)) }, administrator: administrator(v) };
}
