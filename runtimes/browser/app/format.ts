/** Formatting helpers of the app's views. */

/** ISO-like local-free time of day with microseconds (UTC), as Wireshark's absolute time column. */
export function clock(ms: number): string {
  const d = new Date(Math.floor(ms));
  const us = Math.round((ms - Math.floor(ms)) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}${p(us, 3)}`;
}

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
