import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalTimeZone, isValidTimeZone, nextRunAt, type Period } from './schedule.js';

const CHICAGO = 'America/Chicago';

/** nextRunAt in Chicago from an ISO instant, as an ISO instant. */
function next(period: Period, from: string, zone = CHICAGO): string {
  return nextRunAt(period, zone, new Date(from)).toISOString();
}

describe('nextRunAt', () => {
  // 2026-06-10 is a Wednesday; Chicago is on CDT (UTC-5).
  const WED = '2026-06-10T15:20:00.000Z'; // 10:20 CDT

  it('hourly: the start of the next hour', () => {
    assert.equal(next('hourly', WED), '2026-06-10T16:00:00.000Z');
    assert.equal(next('hourly', '2026-06-10T16:00:00.000Z'), '2026-06-10T17:00:00.000Z', 'strictly after');
  });

  it('every 6 hours: 00, 06, 12, 18 local', () => {
    assert.equal(next('every6Hours', WED), '2026-06-10T17:00:00.000Z'); // 12:00 CDT
    assert.equal(next('every6Hours', '2026-06-10T23:30:00.000Z'), '2026-06-11T05:00:00.000Z'); // 18:30 → 00:00 CDT
  });

  it('every 12 hours: 00 and 12 local', () => {
    assert.equal(next('every12Hours', WED), '2026-06-10T17:00:00.000Z');
    assert.equal(next('every12Hours', '2026-06-10T17:00:00.000Z'), '2026-06-11T05:00:00.000Z');
  });

  it('daily: 02:00 local, today if still ahead, else tomorrow', () => {
    assert.equal(next('daily', WED), '2026-06-11T07:00:00.000Z');
    assert.equal(next('daily', '2026-06-10T06:59:59.000Z'), '2026-06-10T07:00:00.000Z');
    assert.equal(next('daily', '2026-06-10T07:00:00.000Z'), '2026-06-11T07:00:00.000Z', 'strictly after');
  });

  it('weekly: Sunday 02:00 local', () => {
    assert.equal(next('weekly', WED), '2026-06-14T07:00:00.000Z');
    assert.equal(next('weekly', '2026-06-14T06:00:00.000Z'), '2026-06-14T07:00:00.000Z', 'Sunday 01:00 → same day');
    assert.equal(next('weekly', '2026-06-14T07:00:00.000Z'), '2026-06-21T07:00:00.000Z', 'Sunday 02:00 → next week');
    assert.equal(next('weekly', '2026-06-13T12:00:00.000Z'), '2026-06-14T07:00:00.000Z', 'Saturday → the next day');
  });

  it('monthly: the 1st at 02:00 local, across the year end', () => {
    assert.equal(next('monthly', WED), '2026-07-01T07:00:00.000Z');
    assert.equal(next('monthly', '2026-12-15T12:00:00.000Z'), '2027-01-01T08:00:00.000Z');
    assert.equal(next('monthly', '2027-01-01T05:00:00.000Z'), '2027-01-01T08:00:00.000Z', 'New Year 23:00 CST on Dec 31 → 02:00 on Jan 1');
    assert.equal(next('monthly', '2027-01-01T08:00:00.000Z'), '2027-02-01T08:00:00.000Z');
  });

  it('hourly and daily also roll over the year end', () => {
    assert.equal(next('hourly', '2026-12-31T23:59:00.000Z'), '2027-01-01T00:00:00.000Z');
    assert.equal(next('daily', '2026-12-31T20:00:00.000Z'), '2027-01-01T08:00:00.000Z');
    assert.equal(next('weekly', '2026-12-31T20:00:00.000Z'), '2027-01-03T08:00:00.000Z');
  });

  describe('spring forward in Chicago (2026-03-08, 02:00 CST → 03:00 CDT)', () => {
    it('a daily 02:00 run that day happens at 03:00 CDT = 08:00Z, then back to 02:00 CDT = 07:00Z', () => {
      assert.equal(next('daily', '2026-03-08T05:00:00.000Z'), '2026-03-08T08:00:00.000Z'); // from 23:00 CST Mar 7
      assert.equal(next('daily', '2026-03-08T07:59:00.000Z'), '2026-03-08T08:00:00.000Z'); // from 01:59 CST
      assert.equal(next('daily', '2026-03-08T08:00:00.000Z'), '2026-03-09T07:00:00.000Z');
    });

    it('weekly (it is a Sunday) behaves the same; hourly and every 6 hours follow the local clock', () => {
      assert.equal(next('weekly', '2026-03-08T05:00:00.000Z'), '2026-03-08T08:00:00.000Z');
      assert.equal(next('weekly', '2026-03-08T08:00:00.000Z'), '2026-03-15T07:00:00.000Z');
      assert.equal(next('hourly', '2026-03-08T07:30:00.000Z'), '2026-03-08T08:00:00.000Z'); // 01:30 CST → 03:00 CDT
      assert.equal(next('every6Hours', '2026-03-08T07:30:00.000Z'), '2026-03-08T11:00:00.000Z'); // → 06:00 CDT
      assert.equal(next('every12Hours', '2026-03-08T07:30:00.000Z'), '2026-03-08T17:00:00.000Z'); // → 12:00 CDT
    });
  });

  describe('fall back in Chicago (2026-11-01, 02:00 CDT → 01:00 CST)', () => {
    it('daily runs once, at 02:00 CST = 08:00Z, even from inside the repeated hour', () => {
      assert.equal(next('daily', '2026-11-01T05:00:00.000Z'), '2026-11-01T08:00:00.000Z'); // 00:00 CDT
      assert.equal(next('daily', '2026-11-01T06:30:00.000Z'), '2026-11-01T08:00:00.000Z'); // first 01:30 (CDT)
      assert.equal(next('daily', '2026-11-01T07:30:00.000Z'), '2026-11-01T08:00:00.000Z'); // second 01:30 (CST)
      assert.equal(next('daily', '2026-11-01T08:00:00.000Z'), '2026-11-02T08:00:00.000Z');
    });

    it('hourly runs every real hour through the repeated one; weekly and monthly land on 02:00 CST', () => {
      assert.equal(next('hourly', '2026-11-01T06:30:00.000Z'), '2026-11-01T07:00:00.000Z'); // 01:00 CST
      assert.equal(next('hourly', '2026-11-01T07:00:00.000Z'), '2026-11-01T08:00:00.000Z');
      assert.equal(next('weekly', '2026-10-31T12:00:00.000Z'), '2026-11-01T08:00:00.000Z');
      assert.equal(next('monthly', '2026-10-15T12:00:00.000Z'), '2026-11-01T08:00:00.000Z');
      assert.equal(next('every6Hours', '2026-11-01T06:30:00.000Z'), '2026-11-01T12:00:00.000Z'); // 06:00 CST
    });
  });

  it('uses the customer zone, including zones with half-hour offsets and the southern hemisphere', () => {
    assert.equal(next('daily', '2026-06-10T12:00:00.000Z', 'UTC'), '2026-06-11T02:00:00.000Z');
    assert.equal(next('daily', '2026-06-10T12:00:00.000Z', 'Asia/Kolkata'), '2026-06-10T20:30:00.000Z'); // 02:00 IST on Jun 11
    assert.equal(next('monthly', '2026-06-10T12:00:00.000Z', 'Australia/Sydney'), '2026-06-30T16:00:00.000Z'); // Jul 1 02:00 AEST
  });

  it('throws for an unknown zone', () => {
    assert.throws(() => nextRunAt('daily', 'Mars/Olympus_Mons', new Date()));
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA zones and rejects anything else', () => {
    for (const tz of ['America/Chicago', 'Europe/Kyiv', 'UTC', 'Asia/Kathmandu']) assert.equal(isValidTimeZone(tz), true, tz);
    for (const tz of ['', 'Mars/Olympus_Mons', 'Central Time', 'GMT+25', 'America/Chicago/Extra']) assert.equal(isValidTimeZone(tz), false, tz);
  });
});

describe('canonicalTimeZone', () => {
  it('fixes the capitalisation of a zone typed in another case and keeps other spellings', () => {
    assert.equal(canonicalTimeZone('america/chicago'), 'America/Chicago');
    assert.equal(canonicalTimeZone('AMERICA/NEW_YORK'), 'America/New_York');
    assert.equal(canonicalTimeZone('utc'), 'UTC');
    assert.equal(canonicalTimeZone('America/Chicago'), 'America/Chicago');
    assert.equal(canonicalTimeZone('US/Central'), 'US/Central');
  });
});
