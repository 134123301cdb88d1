/*
 * The form's instant checks. The rules that tie rostering fields together are the server's own
 * (src/customers/customer-rules.ts), run here on the same body the form will send, so the form
 * and the API cannot disagree about what ZIP, SFTP, API or Auto require. Shape checks (required,
 * patterns) repeat the schema's messages; the server still has the last word and its field
 * errors are shown the same way.
 */
import i18next from 'i18next';
import { checkRostering } from '../../../src/customers/customer-rules.js';
import { checkPlatforms, usesLti13 } from '../../../src/customers/lti13-rules.js';
import type { FieldIssue } from '../api.js';
import { PLATFORM_FIELDS, platformStarted, platformsBody, portNumber, rosteringBody, type FieldName, type FormMode, type FormValues } from './model.js';

const REQUIRED: FieldName[] = [
  'profile.name',
  'profile.code',
  'profile.timeZone',
  'administrator.firstName',
  'administrator.lastName',
  'administrator.email',
  'address.line1',
  'address.city',
  'address.country',
];

// Each message is read from the catalogue (customerForm:pattern.<field>) when a check fails.
const PATTERNS: { field: FieldName; test: RegExp; message: () => string }[] = [
  { field: 'profile.code', test: /^[a-z0-9][a-z0-9-]{1,39}$/, message: () => i18next.t('customerForm:pattern.code') },
  { field: 'administrator.email', test: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, message: () => i18next.t('customerForm:pattern.email') },
  { field: 'administrator.phone', test: /^[0-9+()\-. ]*$/, message: () => i18next.t('customerForm:pattern.phone') },
  { field: 'address.country', test: /^[A-Z]{2}$/, message: () => i18next.t('customerForm:pattern.country') },
  { field: 'rostering.suffix', test: /^[A-Za-z0-9@._-]*$/, message: () => i18next.t('customerForm:pattern.suffix') },
];

/** Every problem the form can see without asking the server, by field. */
export function validateCustomerForm(v: FormValues, mode: FormMode): Record<string, string> {
  const issues: FieldIssue[] = [];
  const add = (field: FieldName, message: string, code = 'format') => issues.push({ field, message, code });
  const required = i18next.t('ui:required');
  for (const field of REQUIRED) if (!v[field].trim()) add(field, required, 'required');
  for (const p of PATTERNS) if (v[p.field].trim() && !p.test.test(v[p.field].trim())) add(p.field, p.message());

  if (mode.kind === 'create') {
    if (!v['administrator.password']) add('administrator.password', required, 'required');
    if (v.acceptTerms !== 'true') add('acceptTerms', i18next.t('customerForm:termsMissing'), 'terms_not_accepted');
  }

  const usesSftp = v['rostering.type'] === 'oneroster' && v['rostering.syncType'] === 'sftp';
  const port = portNumber(v['rostering.sftp.port']);
  if (usesSftp && v['rostering.sftp.port'].trim() && (port === undefined || port < 1 || port > 65535)) {
    add('rostering.sftp.port', i18next.t('customerForm:portRange'));
  }

  const r = mode.kind === 'edit' ? mode.customer.rostering : null;
  const stored = { apiSecret: r?.secretKeySet ?? false, sftpPassword: r?.sftp.passwordSet ?? false, sftpPrivateKey: r?.sftp.privateKeySet ?? false, suffix: r?.suffix };
  checkRostering(rosteringBody(v), stored, issues);
  if (usesLti13(v['lti.version']) && platformStarted(v)) {
    for (const f of PLATFORM_FIELDS) if (!v[`lti.platforms.0.${f}`].trim() && f !== 'deploymentIds') add(`lti.platforms.0.${f}`, required, 'required');
    // Plain http to an allowed host is the server's decision (LECTERN_OUTBOUND_ALLOW): it answers for it.
    checkPlatforms(v['lti.version'], platformsBody(v).slice(0, 1), () => true, issues);
  }

  // The first message for a field is the one to show; later ones are usually consequences.
  const byField: Record<string, string> = {};
  for (const issue of issues) byField[issue.field] ??= issue.message;
  return byField;
}

/** The fields that must be filled in for the current choices, for the required markers. */
export function requiredFields(v: FormValues, mode: FormMode): Set<FieldName> {
  const set = new Set<FieldName>(REQUIRED);
  if (mode.kind === 'create') set.add('administrator.password').add('acceptTerms');
  if (usesLti13(v['lti.version']) && platformStarted(v)) for (const f of PLATFORM_FIELDS) set.add(`lti.platforms.0.${f}`);
  if (v['rostering.type'] !== 'oneroster') return set;
  set.add('rostering.syncType').add('rostering.matchWith').add('rostering.syncFrequency');
  const syncType = v['rostering.syncType'];
  if (syncType === 'zip') set.add('rostering.clientPartnerId');
  if (v['rostering.syncFrequency'] === 'auto' && syncType !== 'zip') set.add('rostering.period');
  if (syncType === 'sftp') {
    (['rostering.sftp.host', 'rostering.sftp.port', 'rostering.sftp.username', 'rostering.sftp.path', 'rostering.sftp.fileName'] as const).forEach((f) => set.add(f));
    // A password or a private key: the password is marked required until a key is given or stored.
    const stored = mode.kind === 'edit' && (mode.customer.rostering.sftp.passwordSet || mode.customer.rostering.sftp.privateKeySet);
    if (!stored && !v['rostering.sftp.privateKey'].trim()) set.add('rostering.sftp.password');
  }
  if (syncType === 'api') {
    set.add('rostering.url').add('rostering.consumerKey').add('rostering.authorization');
    if (mode.kind === 'create' || !mode.customer.rostering.secretKeySet) set.add('rostering.secretKey');
    if (v['rostering.authorization'] === 'oauth2-client-credentials') set.add('rostering.tokenUrl');
  }
  return set;
}
