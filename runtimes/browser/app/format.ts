/** Formatting helpers of the app's views. */

/** Time of day with microseconds, in UTC or (`utc` false) local time. */
function timeOfDay(ms: number, utc: boolean): string {
  const d = new Date(Math.floor(ms));
  const us = Math.round((ms - Math.floor(ms)) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const [h, m, s, milli] = utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()] : [d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  return `${p(h)}:${p(m)}:${p(s)}.${p(milli, 3)}${p(us, 3)}`;
}

/** ISO-like time of day with microseconds (UTC), as Wireshark's absolute time column. */
export function clock(ms: number): string { return timeOfDay(ms, true); }

/** Time of day with microseconds, in local time. */
export function localClock(ms: number): string { return timeOfDay(ms, false); }

/** A full UTC timestamp (date and time of day to the microsecond). */
export function stamp(ms: number): string { return `${new Date(Math.floor(ms)).toISOString().slice(0, 10)} ${clock(ms)}`; }

/** A duration in ms, in the unit that reads best. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 3 : 1)} s`;
}

/** Bytes with a binary unit. */
export function size(n: number): string {
  if (n < 1024) return `${n} B`;
  const u = ['KiB', 'MiB', 'GiB', 'TiB'];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
  return `${n.toFixed(n < 10 ? 2 : 1)} ${u[i]}`;
}

/** An integer with thousands separators (by hand: the first toLocaleString call loads ICU's number data, a 40 ms task). */
export function count(n: number): string { return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

/** Hex dump lines: offset, 16 bytes in hex, ASCII. */
export function hexdump(b: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 16) {
    const row = b.subarray(i, i + 16);
    const hex = Array.from(row, (x) => x.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' '), right = hex.slice(8).join(' ');
    const ascii = Array.from(row, (x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
    lines.push(`${i.toString(16).padStart(4, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  ${ascii}`);
  }
  return lines.join('\n');
}

/** `n` and its noun, singular for 1 ("1 exchange", "2 exchanges", "1,031,916 packets"). */
export function plural(n: number, one: string, many = `${one}s`): string { return `${count(n)} ${Math.trunc(n) === 1 ? one : many}`; }

/**
 * A trace name as the page shows it: without "projects//traces/" when no project is set (the
 * records then name the trace so; the id alone is what the user knows), else in full.
 */
export function traceLabel(id: string): string { return id.startsWith('projects//traces/') ? id.slice('projects//traces/'.length) : id; }

// ---- time display: one setting for every table, header, waterfall and chart ---------------

/** How times are shown: UTC or local time of day, seconds since the first packet, or since the previous row. */
export type TimeMode = 'utc' | 'local' | 'rel' | 'delta';

/** The modes in the order the header's selector lists them, with their names there. */
export const TIME_MODES: ReadonlyArray<readonly [TimeMode, string]> = [
  ['utc', 'UTC'], ['local', 'Local'], ['rel', 'Since first packet (s)'], ['delta', 'Since previous row (s)'],
];

/** Whether `v` names a time mode. */
export function isTimeMode(v: unknown): v is TimeMode { return v === 'utc' || v === 'local' || v === 'rel' || v === 'delta'; }

/** Seconds with microseconds, as Wireshark's relative and delta columns ("12.345678"). */
export function seconds(ms: number): string { return (ms / 1000).toFixed(6); }

/** The local zone's offset at `ms`, "UTC+05:30". */
function zone(ms: number): string {
  const m = -new Date(ms).getTimezoneOffset();
  const a = Math.abs(m);
  return `UTC${m < 0 ? '−' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Formatters for one time mode; `first` is the first packet's time (ms), for the relative modes. */
export interface TimeFormat {
  mode: TimeMode;
  /** A row-time column's title saying how it is shown: "Time (UTC)", "Time (s since previous)". */
  title(name: string): string;
  /** The title of a column of `at` times (the same as title() but in delta mode). */
  titleAt(name: string): string;
  /** A row's time; `prev` is the previous row's (null: none, the first row; undefined: not read yet). */
  row(ms: number, prev: number | null | undefined): string;
  /** A time with no row before it (a header, a secondary column, a legend): in delta mode, since the first packet. */
  at(ms: number): string;
  /** A time that says how it is shown, for headers: "2023-11-14 22:13:20.000037 UTC", "+12.345678 s after the first packet". */
  label(ms: number): string;
  /** An axis tick for ticks `incr` ms apart: no more digits than the increment needs. */
  tick(ms: number, incr: number): string;
  /** The chart's x values are seconds since the epoch (false: seconds since the first packet). */
  absolute: boolean;
}

/** Digits after the point that ticks `incr` ms apart need (0 to 6). */
function decimalsFor(incrMs: number): number { return Math.max(0, Math.min(6, Math.ceil(-Math.log10(incrMs / 1000) - 1e-9))); }

/** The formatters of `mode`. */
export function timeFormat(mode: TimeMode, first: number): TimeFormat {
  const rel = (ms: number) => seconds(ms - first);
  const relTick = (ms: number, incr: number) => `${((ms - first) / 1000).toFixed(decimalsFor(incr))} s`;
  if (mode === 'utc' || mode === 'local') {
    const time = mode === 'utc' ? clock : localClock;
    const day = (ms: number) => {
      if (mode === 'utc') return new Date(Math.floor(ms)).toISOString().slice(0, 10);
      const d = new Date(ms);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    };
    return {
      mode, absolute: true,
      title: (name) => `${name} (${mode === 'utc' ? 'UTC' : 'local'})`,
      titleAt: (name) => `${name} (${mode === 'utc' ? 'UTC' : 'local'})`,
      row: (ms) => time(ms), at: (ms) => time(ms),
      label: (ms) => `${day(ms)} ${time(ms)} ${mode === 'utc' ? 'UTC' : `local (${zone(ms)})`}`,
      tick: (ms, incr) => { const t = time(ms); return incr >= 1000 ? t.slice(0, 8) : t.slice(0, 9 + Math.min(6, decimalsFor(incr))); },
    };
  }
  const label = (ms: number) => `${ms >= first ? '+' : ''}${rel(ms)} s after the first packet`;
  const since = (name: string) => `${name} (s since first)`;
  if (mode === 'rel') return { mode, absolute: false, title: since, titleAt: since, row: rel, at: rel, label, tick: relTick };
  return {
    mode, absolute: false,
    title: (name) => `${name} (s since previous)`, titleAt: since,
    row: (ms, prev) => (prev === undefined ? '…' : seconds(prev === null ? 0 : ms - prev)),
    at: rel, label, tick: relTick,
  };
}
