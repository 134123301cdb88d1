// The web console bundles this module to check the form as the server does: no node: imports here.
import type { FieldIssue } from '../errors.js';
import { isValidTimeZone } from '../rostering/schedule.js';
import type { RosteringInput } from './customer-schema.js';

/** Which write-only secrets a customer already has, so an edit may leave them blank. */
export interface StoredSecrets {
  apiSecret: boolean;
  sftpPassword: boolean;
  sftpPrivateKey: boolean;
  /** The stored Suffix: kept exactly while unchanged, even one saved before the "@" rule (see normaliseSuffix). */
  suffix?: string;
}

/** Rostering settings as stored, with secrets still in clear (the service seals them). */
export interface RosteringSettings {
  type: 'none' | 'oneroster';
  oneRosterVersion: string | null;
  syncType: 'api' | 'sftp' | 'zip' | null;
  matchWith: 'sourcedId' | 'identifier' | 'username' | 'email' | null;
  syncFrequency: 'auto' | 'manual' | null;
  period: string | null;
  suffix: string;
  clientPartnerId: string | null;
  authorization: string | null;
  apiConsumerKey: string;
  apiSecret: string | undefined;
  apiUrl: string;
  tokenUrl: string;
  scope: string;
  sftpHost: string;
  sftpPort: number | null;
  sftpUsername: string;
  sftpPassword: string | undefined;
  /** OpenSSH or PEM private key, an alternative (or addition) to the password. */
  sftpPrivateKey: string | undefined;
  sftpPath: string;
  sftpFileName: string;
  sftpHostKeyFingerprint: string;
  deletionThresholdPercent: number;
  deletionThresholdMin: number;
  retentionDays: number;
}

export const DEFAULT_THRESHOLD_PERCENT = 10;
export const DEFAULT_THRESHOLD_MIN = 5;
export const DEFAULT_RETENTION_DAYS = 30;

/**
 * The Suffix rule: a rostered user's login is their roster username, "@" and the Suffix
 * (`jdoe` + `@lincoln` → `jdoe@lincoln`, as the reader's sign-in hint says). A Suffix typed without
 * its "@" gets one (`lincoln` → `@lincoln`), lower-cased as logins are.
 */
export function normaliseSuffix(raw: string): string {
  const s = raw.trim().toLowerCase();
  return !s || s.startsWith('@') ? s : `@${s}`;
}

/**
 * The Suffix to store: the normalised one, except that a stored Suffix sent back unchanged stays as it
 * is. One saved before the rule (`lincoln`, making `ajoneslincoln`) is part of every login a sync gave,
 * and changing it would change them all at the next sync (and, with Match with username, match nobody).
 */
export function suffixToStore(raw: string, stored: string | undefined, issues: FieldIssue[]): string {
  const typed = raw.trim();
  if (stored !== undefined && typed === stored) return stored;
  const suffix = normaliseSuffix(typed);
  if (suffix && !/^@[a-z0-9][a-z0-9._-]*$/.test(suffix)) {
    issues.push({ field: 'rostering.suffix', message: 'Use one @ followed by letters, digits and . _ -, such as @lincoln.', code: 'format' });
  }
  return suffix;
}

/** Checks the IANA time zone of a profile. */
export function checkTimeZone(timeZone: string, issues: FieldIssue[]): void {
  if (timeZone && !isValidTimeZone(timeZone)) {
    issues.push({ field: 'profile.timeZone', message: 'Choose a time zone from the list, such as America/Chicago.', code: 'unknown_time_zone' });
  }
}

/**
 * Applies the rules that tie rostering fields together and returns the settings to store.
 * Fields that do not apply to the chosen sync type are dropped, so an old SFTP password does not
 * linger after a customer moves to ZIP upload.
 */
export function checkRostering(r: RosteringInput, stored: StoredSecrets, issues: FieldIssue[]): RosteringSettings {
  const need = (value: unknown, field: string, message = 'This field is required.') => {
    if (value === undefined || value === null || value === '') issues.push({ field: `rostering.${field}`, message, code: 'required' });
  };
  const settings: RosteringSettings = {
    type: r.type as RosteringSettings['type'],
    oneRosterVersion: null,
    syncType: null,
    matchWith: null,
    syncFrequency: null,
    period: null,
    suffix: '',
    clientPartnerId: null,
    authorization: null,
    apiConsumerKey: '',
    apiSecret: undefined,
    apiUrl: '',
    tokenUrl: '',
    scope: '',
    sftpHost: '',
    sftpPort: null,
    sftpUsername: '',
    sftpPassword: undefined,
    sftpPrivateKey: undefined,
    sftpPath: '',
    sftpFileName: '',
    sftpHostKeyFingerprint: '',
    deletionThresholdPercent: r.deletionThresholdPercent ?? DEFAULT_THRESHOLD_PERCENT,
    deletionThresholdMin: r.deletionThresholdMin ?? DEFAULT_THRESHOLD_MIN,
    retentionDays: r.retentionDays ?? DEFAULT_RETENTION_DAYS,
  };
  if (r.type !== 'oneroster') return settings;

  need(r.syncType, 'syncType', 'Choose how the roster arrives.');
  need(r.matchWith, 'matchWith', 'Choose how roster users are matched to existing accounts.');
  need(r.syncFrequency, 'syncFrequency', 'Choose Auto or Manual.');
  Object.assign(settings, {
    oneRosterVersion: r.oneRosterVersion ?? '1.1',
    syncType: r.syncType ?? null,
    matchWith: r.matchWith ?? null,
    syncFrequency: r.syncFrequency ?? null,
    suffix: suffixToStore(r.suffix ?? '', stored.suffix, issues),
    clientPartnerId: r.clientPartnerId?.trim() || null,
  });

  if (r.syncType === 'zip') {
    if (r.syncFrequency === 'auto') {
      issues.push({ field: 'rostering.syncFrequency', message: 'ZIP Upload runs when someone uploads a file: choose Manual.', code: 'auto_not_allowed' });
    }
    need(settings.clientPartnerId, 'clientPartnerId', 'ZIP Upload needs a Client Partner ID.');
  }
  if (r.syncFrequency === 'auto' && r.syncType !== 'zip') {
    need(r.period, 'period', 'Choose how often the roster syncs.');
    settings.period = r.period ?? null;
  }

  if (r.syncType === 'sftp') {
    const s = r.sftp ?? {};
    const sftpNeed = (value: unknown, field: string) => need(value, `sftp.${field}`);
    sftpNeed(s.host?.trim(), 'host');
    sftpNeed(s.username?.trim(), 'username');
    if (!s.password && !s.privateKey && !stored.sftpPassword && !stored.sftpPrivateKey) {
      issues.push({ field: 'rostering.sftp.password', message: 'Enter the password, or paste a private key below.', code: 'required' });
    }
    if (s.privateKey && !/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(s.privateKey)) {
      issues.push({ field: 'rostering.sftp.privateKey', message: 'Paste the whole private key, from -----BEGIN … PRIVATE KEY----- to its END line.', code: 'format' });
    }
    sftpNeed(s.path?.trim(), 'path');
    sftpNeed(s.fileName?.trim(), 'fileName');
    if (s.host && !/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/.test(s.host.trim())) {
      issues.push({ field: 'rostering.sftp.host', message: 'Enter a host name or IP address, without a scheme or path.', code: 'format' });
    }
    if (s.hostKeyFingerprint?.trim() && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(s.hostKeyFingerprint.trim())) {
      issues.push({ field: 'rostering.sftp.hostKeyFingerprint', message: 'Enter the fingerprint as ssh-keygen -l shows it: SHA256: and 43 characters, or leave it empty.', code: 'format' });
    }
    if (s.fileName && /[/\\]/.test(s.fileName)) {
      issues.push({ field: 'rostering.sftp.fileName', message: 'Enter only the file name; put folders in Path.', code: 'format' });
    }
    Object.assign(settings, {
      sftpHost: s.host?.trim() ?? '',
      sftpPort: s.port ?? 22,
      sftpUsername: s.username?.trim() ?? '',
      sftpPassword: s.password || undefined,
      sftpPrivateKey: s.privateKey?.trim() || undefined,
      sftpPath: s.path?.trim() ?? '',
      sftpFileName: s.fileName?.trim() ?? '',
      sftpHostKeyFingerprint: s.hostKeyFingerprint?.trim() ?? '',
    });
  }

  if (r.syncType === 'api') {
    need(r.url, 'url');
    need(r.consumerKey?.trim(), 'consumerKey');
    if (!r.secretKey && !stored.apiSecret) need('', 'secretKey');
    need(r.authorization, 'authorization', 'Choose how Lectern signs requests to the API.');
    if (r.url) checkHttpUrl(r.url, 'rostering.url', issues);
    if (r.authorization === 'oauth2-client-credentials') {
      need(r.tokenUrl, 'tokenUrl', 'OAuth 2 needs the token URL.');
      if (r.tokenUrl) checkHttpUrl(r.tokenUrl, 'rostering.tokenUrl', issues);
    }
    Object.assign(settings, {
      authorization: r.authorization ?? null,
      apiConsumerKey: r.consumerKey?.trim() ?? '',
      apiSecret: r.secretKey || undefined,
      apiUrl: r.url?.trim() ?? '',
      tokenUrl: r.authorization === 'oauth2-client-credentials' ? (r.tokenUrl?.trim() ?? '') : '',
      scope: r.authorization === 'oauth2-client-credentials' ? (r.scope?.trim() ?? '') : '',
    });
  }
  return settings;
}

function checkHttpUrl(value: string, field: string, issues: FieldIssue[]): void {
  let url: URL | null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    issues.push({ field, message: 'Enter an http:// or https:// URL.', code: 'url_scheme' });
  } else if (url.username || url.password) {
    issues.push({ field, message: 'Put credentials in the key fields, not in the URL.', code: 'url_credentials' });
  }
}
