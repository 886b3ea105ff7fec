// The cron schedule of capture windows (--cron, PCAP_CRON_EXP): pcap-sidecar's gocron syntax.
import { describe, it, expect } from 'vitest';
import { parseSchedule, parseGoDuration, localTime, ScheduleError } from '../../../runtimes/node/schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('parseSchedule', () => {
  it('five fields (minutes) and six with seconds first, in the time zone', () => {
    expect(iso(parseSchedule('*/15 * * * *').next(at('2026-12-07T10:07:30Z')))).toBe('2026-12-07T10:15:00.000Z');
    expect(iso(parseSchedule('*/4 * * * * *').next(at('2026-12-07T10:07:30.500Z')))).toBe('2026-12-07T10:07:32.000Z');
    expect(iso(parseSchedule('0 9 * * *', 'Europe/Paris').next(at('2026-12-07T00:00:00Z')))).toBe('2026-12-07T08:00:00.000Z');
    expect(iso(parseSchedule('0 9 * * *', 'America/New_York').next(at('2026-07-07T00:00:00Z')))).toBe('2026-07-07T13:00:00.000Z');
  });
  it('strictly after: a start at the instant asked for is not the next one', () => {
    expect(iso(parseSchedule('*/4 * * * * *').next(at('2026-12-07T10:07:32Z')))).toBe('2026-12-07T10:07:36.000Z');
  });
  it('day of month OR day of week when both are restricted (Vixie cron, robfig/cron)', () => {
    // 2026-12-07 is a Monday: the 1st of the month or a Monday.
    const s = parseSchedule('0 0 1 * 1');
    expect(iso(s.next(at('2026-12-06T12:00:00Z')))).toBe('2026-12-07T00:00:00.000Z');
    expect(iso(s.next(at('2026-12-28T12:00:00Z')))).toBe('2027-01-01T00:00:00.000Z');
  });
  it('descriptors and @every', () => {
    expect(iso(parseSchedule('@hourly').next(at('2026-12-07T10:07:00Z')))).toBe('2026-12-07T11:00:00.000Z');
    expect(iso(parseSchedule('@midnight').next(at('2026-12-07T10:07:00Z')))).toBe('2026-12-08T00:00:00.000Z');
    expect(iso(parseSchedule('@every 90s').next(at('2026-12-07T10:07:00.700Z')))).toBe('2026-12-07T10:08:30.000Z');
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('5')).toBeNaN();
  });
  it('bad expressions and zones are one-line ScheduleErrors', () => {
    for (const [expr, tz] of [['-', 'UTC'], ['61 * * * *', 'UTC'], ['* * * * * * *', 'UTC'], ['@every 10ms', 'UTC'], ['* * * * *', 'Mars/Olympus']] as const) {
      let err: unknown;
      try { parseSchedule(expr, tz); } catch (e) { err = e; }
      expect(err, expr).toBeInstanceOf(ScheduleError);
      expect((err as Error).message, expr).not.toContain('\n');
    }
  });
  it('localTime renders the instant in the zone with its offset', () => {
    expect(localTime(at('2026-12-07T09:00:00Z'), 'Europe/Paris')).toBe('2026-12-07T10:00:00+01:00');
    expect(localTime(at('2026-12-07T09:00:00Z'), 'UTC')).toBe('2026-12-07T09:00:00Z');
  });
});
