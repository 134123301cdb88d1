import { DateTime } from 'luxon';
import type { PERIODS } from '../customers/customer-schema.js';

export type Period = (typeof PERIODS)[number];

// Daily and longer periods run at 02:00 local time, when schools are closed and SIS exports are done.
const QUIET_HOUR = 2;

/**
 * The next scheduled run strictly after `from`, computed on the customer's local clock so that
 * "daily" stays at 02:00 local across daylight-saving changes. A local time that does not exist
 * (spring forward) runs at the first instant after the gap; one that happens twice (fall back)
 * runs once, at the first.
 */
export function nextRunAt(period: Period, timeZone: string, from: Date): Date {
  const local = DateTime.fromJSDate(from, { zone: timeZone });
  if (!local.isValid) throw new Error(`Unknown time zone ${timeZone}`);
  const candidates = (): DateTime[] => {
    switch (period) {
      case 'hourly':
        return [local.startOf('hour').plus({ hours: 1 })];
      case 'every6Hours':
      case 'every12Hours': {
        const step = period === 'every6Hours' ? 6 : 12;
        const day = local.startOf('day');
        return Array.from({ length: 24 / step }, (_, i) => atLocal(day, i * step)).concat(atLocal(day.plus({ days: 1 }), 0));
      }
      case 'daily':
        return [atLocal(local.startOf('day'), QUIET_HOUR), atLocal(local.startOf('day').plus({ days: 1 }), QUIET_HOUR)];
      case 'weekly': {
        // Sunday 02:00, the quietest hour of the week for school systems.
        const sunday = local.startOf('day').minus({ days: local.weekday % 7 });
        return [atLocal(sunday, QUIET_HOUR), atLocal(sunday.plus({ weeks: 1 }), QUIET_HOUR)];
      }
      case 'monthly': {
        const first = local.startOf('month');
        return [atLocal(first, QUIET_HOUR), atLocal(first.plus({ months: 1 }), QUIET_HOUR)];
      }
    }
  };
  const next = candidates().find((c) => c.toMillis() > from.getTime());
  if (!next) throw new Error('No next run found');
  return next.toJSDate();
}

// Wall-clock hour on a local day; luxon moves a time inside a DST gap forward past the gap.
function atLocal(day: DateTime, hour: number): DateTime {
  return day.set({ hour, minute: 0, second: 0, millisecond: 0 });
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A valid zone with its proper capitalisation (`america/chicago` → `America/Chicago`), so the
 * stored name matches the console's list (`/api/meta/time-zones`); other spellings are kept as given.
 */
export function canonicalTimeZone(timeZone: string): string {
  const lower = timeZone.toLowerCase();
  const listed = Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === lower);
  if (listed) return listed;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === lower ? resolved : timeZone;
}
