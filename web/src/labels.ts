/*
 * The words the console uses for the API's enum values, in one place so the form, the lists and
 * the customer page say the same thing.
 */
import type { Option } from './components/fields.js';

export const SYNC_TYPE_OPTIONS: readonly Option[] = [
  { value: 'api', label: 'Sync With API' },
  { value: 'sftp', label: 'SFTP' },
  { value: 'zip', label: 'ZIP Upload' },
];

export const MATCH_WITH_OPTIONS: readonly Option[] = [
  { value: 'sourcedId', label: 'Sourced ID' },
  { value: 'identifier', label: 'Identifier' },
  { value: 'username', label: 'Username' },
  { value: 'email', label: 'Email' },
];

export const FREQUENCY_OPTIONS: readonly Option[] = [
  { value: 'auto', label: 'Auto' },
  { value: 'manual', label: 'Manual' },
];

export const PERIOD_OPTIONS: readonly Option[] = [
  { value: 'hourly', label: 'Hourly' },
  { value: 'every6Hours', label: 'Every 6 hours' },
  { value: 'every12Hours', label: 'Every 12 hours' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
  { value: 'monthly', label: 'Monthly' },
];

export const AUTHORIZATION_OPTIONS: readonly Option[] = [
  { value: 'oauth1-hmac-sha256', label: 'OAuth 1.0a (HMAC-SHA256)' },
  { value: 'oauth1-hmac-sha1', label: 'OAuth 1.0a (HMAC-SHA1)' },
  { value: 'oauth2-client-credentials', label: 'OAuth 2 (client credentials)' },
];

export const ROSTERING_TYPE_OPTIONS: readonly Option[] = [
  { value: 'none', label: 'None' },
  { value: 'oneroster', label: 'OneRoster' },
];

export const ONEROSTER_VERSION_OPTIONS: readonly Option[] = [
  { value: '1.1', label: 'OneRoster 1.1' },
  { value: '1.2', label: 'OneRoster 1.2' },
];

export const LTI_VERSION_OPTIONS: readonly Option[] = [{ value: '1.1', label: 'LTI 1.1' }];

export const ROLE_OPTIONS: readonly Option[] = [
  { value: 'customer_admin', label: 'Customer admin' },
  { value: 'institute_admin', label: 'Institute admin' },
  { value: 'teacher', label: 'Teacher' },
  { value: 'student', label: 'Student' },
  { value: 'reader', label: 'Reader' },
];

/** The label of `value` among `options`, or the value itself when unknown. */
export function labelOf(options: readonly Option[], value: string | null | undefined): string {
  if (!value) return '—';
  return options.find((o) => o.value === value)?.label ?? value;
}

const SOURCES: Record<string, string> = { manual: 'Added by admin', roster: 'OneRoster', lti: 'LTI launch', bootstrap: 'Set-up' };

/** Where a user record came from, as people say it. */
export function sourceLabel(source: string): string {
  return SOURCES[source] ?? source;
}

/** A role as people say it. */
export function roleLabel(role: string): string {
  if (role === 'enterprise_admin') return 'Enterprise admin';
  return labelOf(ROLE_OPTIONS, role);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** An ISO instant in the viewer's locale and time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

/** An ISO instant as a date in the viewer's locale. */
export function formatDate(iso: string | null | undefined): string {
  return iso ? dateOnly.format(new Date(iso)) : '—';
}

/** An ISO instant on the clock of `timeZone` (a customer's), with the zone named. */
export function formatInZone(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  try {
    // dateStyle cannot be combined with timeZoneName, so spell the parts out.
    return new Intl.DateTimeFormat(undefined, { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(
      new Date(iso),
    );
  } catch {
    return formatDateTime(iso);
  }
}

/** The rostering column of the customer list: "SFTP · Auto (Weekly)", "ZIP Upload · Manual". */
export function rosteringSummary(r: { type: string; syncType: string | null; syncFrequency: string | null; period: string | null }): string {
  if (r.type !== 'oneroster') return 'None';
  const how = labelOf(SYNC_TYPE_OPTIONS, r.syncType);
  const when = r.syncFrequency === 'auto' ? `Auto (${labelOf(PERIOD_OPTIONS, r.period)})` : 'Manual';
  return `${how} · ${when}`;
}
