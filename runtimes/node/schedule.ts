/**
 * Capture windows on a cron schedule (--cron, pcap-sidecar's PCAP_USE_CRON/PCAP_CRON_EXP/PCAP_TZ):
 * the expression's times in a time zone. pcap-sidecar schedules with gocron (robfig/cron's parser
 * with optional seconds): five fields, or six with seconds first, the `@hourly`-style
 * descriptors and `@every DURATION`; day of month and day of week match when either does (when
 * both are restricted), as in Vixie cron. The fields are read by croner; `@every` here.
 */
import { Cron } from 'croner';
import { checkTimeZone } from './output/index.js';

/** A cron expression or time zone that cannot be used; one line. */
export class ScheduleError extends RangeError {
  override name = 'ScheduleError';
}

/** When capture windows start. */
export interface Schedule {
  /** The first start time strictly after `after` (ms since the epoch), or null when there is none. */
  next(after: number): number | null;
  /** The expression, as given. */
  readonly expression: string;
  /** The IANA zone it is read in. */
  readonly tz: string;
}

// Go's time.ParseDuration units (robfig's @every takes a Go duration).
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration (`90s`, `1h30m`, `1.5h`), or NaN. */
export function parseGoDuration(text: string): number {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let ms = 0;
  let end = 0;
  for (let m; (m = re.exec(text)) !== null; end = re.lastIndex) ms += Number(m[1]) * UNITS[m[2]!]!;
  return end === text.length && end > 0 ? ms : NaN;
}

/** Parses a schedule; throws ScheduleError naming what is wrong (the caller prefixes the flag or variable). */
export function parseSchedule(expression: string, tz = 'UTC'): Schedule {
  const expr = expression.trim();
  try { checkTimeZone(tz); } catch (e) { throw new ScheduleError((e as Error).message); }
  const every = /^@every\s+(\S+)$/i.exec(expr);
  if (every) {
    const ms = parseGoDuration(every[1]!);
    // robfig/cron rounds the delay to whole seconds and needs at least one.
    if (!(ms >= 1000)) throw new ScheduleError(`@every needs a duration of at least 1s (such as 90s or 1h30m), not ${JSON.stringify(every[1])}`);
    const step = Math.round(ms / 1000) * 1000;
    // As robfig's ConstantDelaySchedule: the previous start, to the whole second, plus the delay.
    return { expression, tz, next: (after) => Math.floor(after / 1000) * 1000 + step };
  }
  const pattern = /^@midnight$/i.test(expr) ? '@daily' : expr;
  let cron: Cron;
  try {
    cron = new Cron(pattern, { timezone: tz, mode: '5-or-6-parts', domAndDow: false, paused: true });
  } catch (e) {
    throw new ScheduleError(`not a cron expression: ${JSON.stringify(expression)} (${String((e as Error).message).replace(/^CronPattern: /, '')}; want 5 fields, or 6 with seconds first, or @hourly, @daily, @every 90s …)`);
  }
  return {
    expression, tz,
    next(after) {
      const d = cron.nextRun(new Date(after));
      return d === null ? null : d.getTime();
    },
  };
}

/** An instant as an ISO 8601 local time in `tz` with its offset (`2026-12-07T10:00:00+01:00`), for messages. */
export function localTime(ms: number, tz: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const offset = /GMT([+-]\d\d:\d\d)?/.exec(parts.timeZoneName ?? '')?.[1] ?? 'Z';
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset === '+00:00' ? 'Z' : offset}`;
}
