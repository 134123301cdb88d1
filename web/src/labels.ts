/*
 * The words the console uses for the API's enum values, and the way it writes dates, counts, sizes
 * and durations, in one place so the form, the lists and the customer page say the same thing. The
 * words come from the catalogue's `labels` namespace and the formats from Intl, both in the page's
 * current language, read when shown (an option's label is a getter), so a language switch applies
 * everywhere on the next render.
 */
import i18next from 'i18next';
import type { Option } from './components/fields.js';
import { formatLocale } from './i18n/index.js';
import type { EntityType, PlanAction, RosterRun } from './types.js';

// Options whose labels are looked up as `labels:<group>.<value>` each time they are read.
function translated<V extends string>(group: string, values: readonly V[]): readonly { value: V; label: string }[] {
  return values.map((value) => ({
    value,
    get label() {
      return i18next.t(`labels:${group}.${value}` as string);
    },
  }));
}

export const SYNC_TYPE_OPTIONS: readonly Option[] = translated('syncType', ['api', 'sftp', 'zip']);

export const MATCH_WITH_OPTIONS: readonly Option[] = translated('matchWith', ['sourcedId', 'identifier', 'username', 'email']);

export const FREQUENCY_OPTIONS: readonly Option[] = translated('frequency', ['auto', 'manual']);

export const PERIOD_OPTIONS: readonly Option[] = translated('period', ['hourly', 'every6Hours', 'every12Hours', 'daily', 'weekly', 'monthly']);

export const AUTHORIZATION_OPTIONS: readonly Option[] = translated('authorization', ['oauth1-hmac-sha256', 'oauth1-hmac-sha1', 'oauth2-client-credentials']);

export const ROSTERING_TYPE_OPTIONS: readonly Option[] = translated('rosteringType', ['none', 'oneroster']);

// Product names, the same in every language.
export const ONEROSTER_VERSION_OPTIONS: readonly Option[] = [
  { value: '1.1', label: 'OneRoster 1.1' },
  { value: '1.2', label: 'OneRoster 1.2' },
];

export const LTI_VERSION_OPTIONS: readonly Option[] = [
  { value: '1.1', label: 'LTI 1.1' },
  { value: '1.3', label: 'LTI 1.3' },
  {
    value: 'both',
    get label() {
      return i18next.t('labels:ltiBoth');
    },
  },
];

export const ROLE_OPTIONS: readonly Option[] = translated('role', ['customer_admin', 'institute_admin', 'teacher', 'student', 'reader']);

/** The label of `value` among `options`, or the value itself when unknown. */
export function labelOf(options: readonly Option[], value: string | null | undefined): string {
  if (!value) return '—';
  return options.find((o) => o.value === value)?.label ?? value;
}

// `labels:<group>.<value>` when the catalogue has it, else the value as the API sent it.
function known(group: string, value: string): string {
  return i18next.exists(`labels:${group}.${value}`) ? i18next.t(`labels:${group}.${value}`) : value;
}

/** Where a user record came from, as people say it. */
export function sourceLabel(source: string): string {
  return known('userSource', source);
}

/** A role as people say it. */
export function roleLabel(role: string): string {
  return known('role', role);
}

// One formatter per locale and style: building an Intl formatter is slow, and lists format many cells.
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
function dateFormat(style: 'dateTime' | 'date'): Intl.DateTimeFormat {
  const locale = formatLocale();
  const key = `${style}|${locale}`;
  let f = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(locale, style === 'dateTime' ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' })));
  return f;
}

/** A number formatter in the page's language (cached per locale and options). */
export function numberFormat(opts: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const locale = formatLocale();
  const key = `number|${locale}|${JSON.stringify(opts)}`;
  let f = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!f) formatters.set(key, (f = new Intl.NumberFormat(locale, opts)));
  return f;
}

/** An ISO instant in the page's language and the viewer's time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  return iso ? dateFormat('dateTime').format(new Date(iso)) : '—';
}

/** An ISO instant as a date in the page's language. */
export function formatDate(iso: string | null | undefined): string {
  return iso ? dateFormat('date').format(new Date(iso)) : '—';
}

/** A calendar day (`2024-08-01`, as rosters write begin and end dates) without shifting it by time zone. */
export function formatDay(day: string | null | undefined): string {
  if (!day) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? dateFormat('date').format(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : formatDate(day);
}

/** An ISO instant on the clock of `timeZone` (a customer's), with the zone named. */
export function formatInZone(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  try {
    // dateStyle cannot be combined with timeZoneName, so spell the parts out.
    return new Intl.DateTimeFormat(formatLocale(), { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(new Date(iso));
  } catch {
    return formatDateTime(iso);
  }
}

/** The rostering column of the customer list: "SFTP · Auto (Weekly)", "ZIP Upload · Manual". */
export function rosteringSummary(r: { type: string; syncType: string | null; syncFrequency: string | null; period: string | null }): string {
  if (r.type !== 'oneroster') return i18next.t('labels:rosteringType.none');
  const how = labelOf(SYNC_TYPE_OPTIONS, r.syncType);
  const when = r.syncFrequency === 'auto' ? i18next.t('labels:autoPeriod', { period: labelOf(PERIOD_OPTIONS, r.period) }) : i18next.t('labels:frequency.manual');
  return `${how} · ${when}`;
}

/** The record types of a roster run, in report order, as people say them. */
export const ENTITY_OPTIONS: readonly { value: EntityType; label: string }[] = translated('entity', ['orgs', 'academicSessions', 'courses', 'classes', 'users', 'enrollments']);

/** Plan actions in the order a reviewer reads them: what is lost first. */
export const ACTION_OPTIONS: readonly { value: PlanAction; label: string; past: string; count: 'deleted' | 'restored' | 'created' | 'updated' }[] = (
  [
    ['delete', 'deleted'],
    ['restore', 'restored'],
    ['create', 'created'],
    ['update', 'updated'],
  ] as const
).map(([value, count]) => ({
  value,
  count,
  get label() {
    return i18next.t(`labels:action.${value}`);
  },
  get past() {
    return i18next.t(`labels:actionPast.${value}`);
  },
}));

/** A run status as people say it; a finished preview says so. */
export function runStatusLabel(run: Pick<RosterRun, 'status' | 'dryRun'>): string {
  if (run.dryRun && run.status === 'succeeded') return i18next.t('labels:runStatus.previewReady');
  if (run.dryRun && run.status === 'succeeded_with_warnings') return i18next.t('labels:runStatus.previewReadyWarnings');
  return known('runStatus', run.status);
}

/** The stages of a run, in order, as people understand them. */
export const RUN_STAGES: readonly { value: string; label: string }[] = translated('stage', ['queued', 'reading', 'planning', 'applying', 'done']);

/** A run's stage as people say it; reading names what is read (the file, the SFTP file, the API, the LMS). */
export function stageLabel(run: Pick<RosterRun, 'stage' | 'trigger'>): string {
  if (run.stage === 'reading') return sourceWords(run.trigger).reading;
  return known('stage', run.stage);
}

/** How a run was started, as people say it. */
export function triggerLabel(trigger: string): string {
  return known('trigger', trigger);
}

/** Who or what started a run, in a phrase: "Uploaded by ada@…", "Schedule · system". */
export function startedBy(run: Pick<RosterRun, 'trigger' | 'actor'>): string {
  if (run.trigger === 'upload') return run.actor ? i18next.t('labels:uploadedBy', { actor: run.actor }) : i18next.t('labels:uploaded');
  return [triggerLabel(run.trigger), run.actor].filter(Boolean).join(' · ');
}

/** True while a run is still working (worth polling). */
export function isActiveRun(run: Pick<RosterRun, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running';
}

/** A count with the page's language's thousands separators. */
export function formatCount(n: number): string {
  return numberFormat().format(n);
}

/** A byte size as people read it: 812 B, 14.2 KB, 3.1 MB (with the language's decimal mark). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatCount(bytes)} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 ? 0 : 1;
  return `${numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

/** A duration between two instants: "0.8 s", "2 min 5 s". */
export function formatDuration(from: string | null, to: string | null): string {
  if (!from || !to) return '—';
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (ms < 0) return '—';
  if (ms < 100) return i18next.t('labels:duration.underTenth', { seconds: numberFormat({ minimumFractionDigits: 1 }).format(0.1) });
  if (ms < 10_000) return i18next.t('labels:duration.seconds', { seconds: numberFormat({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ms / 1000) });
  const s = Math.round(ms / 1000);
  return s < 60 ? i18next.t('labels:duration.seconds', { seconds: formatCount(s) }) : i18next.t('labels:duration.minutes', { minutes: formatCount(Math.floor(s / 60)), seconds: formatCount(s % 60) });
}

/** The words a run's report uses for where its rows came from, which differ by source. */
export interface SourceWords {
  /** The facts row naming the source: "File", "SFTP file", "OneRoster API", "LMS course". */
  label: string;
  /** What the first stage reads: "Reading the file", "Reading the OneRoster API"… */
  reading: string;
  /** The run in a phrase: "this upload", "this SFTP pull", "this API pull", "this LMS sync". */
  thisRun: string;
  /** What its rows were read from: "the file", "the SFTP file", "the API's answers", "the LMS class list". */
  rowsFrom: string;
  /** Whether a person can send a corrected file (uploads) or runs the pull again (the others). */
  isUpload: boolean;
}

/** The words for a run's source, from how it was started (an upload or `lectern roster import` is a file). */
export function sourceWords(trigger: string): SourceWords {
  const source = trigger === 'sftp' || trigger === 'api' || trigger === 'lms' ? trigger : 'upload';
  return {
    label: i18next.t(`labels:runSource.${source}.label`),
    reading: i18next.t(`labels:runSource.${source}.reading`),
    thisRun: i18next.t(`labels:runSource.${source}.thisRun`),
    rowsFrom: i18next.t(`labels:runSource.${source}.rowsFrom`),
    isUpload: source === 'upload',
  };
}
