/**
 * The top-level members of one NDJSON record, found without parsing it: a filter on a path the
 * index does not hold parses only the member the path starts in (`L4` of `L4.flags.str`), a
 * fifth of a record, so a scan over a million records makes a fraction of the garbage.
 */

/** Offsets of each top-level member's value in the record text: key → [start, end). */
export type Members = Map<string, [number, number]>;

/**
 * Splits a JSON object's text into its top-level members; undefined when the text is not an
 * object (then the caller parses it whole and reports what JSON.parse says).
 */
export function members(text: string): Members | undefined {
  const n = text.length;
  if (text.charCodeAt(0) !== 0x7b /* { */) return undefined;
  const out: Members = new Map();
  let i = 1;
  while (i < n) {
    // At depth 1: a key, a colon, a value, then a comma or the closing brace.
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === 0x7d /* } */) return out;
    if (text.charCodeAt(i) !== 0x22) return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const raw = text.slice(i + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw;
    i = keyEnd;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 0x3a /* : */) return undefined;
    i++;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const start = i;
    i = valueEnd(text, i);
    if (i < 0) return undefined;
    out.set(key, [start, i]);
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const c = text.charCodeAt(i);
    if (c === 0x2c /* , */) { i++; continue; }
    if (c === 0x7d) return out;
    return undefined;
  }
  return undefined;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

// End (exclusive) of the string starting at the quote at i; -1 when unterminated.
function stringEnd(t: string, i: number): number {
  for (let j = i + 1; j < t.length; j++) {
    const c = t.charCodeAt(j);
    if (c === 0x5c /* \ */) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

// End (exclusive) of the value starting at i: a string, an object or array (brackets counted
// outside strings), or a literal or number (up to the next , } ] or space).
function valueEnd(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 0x22) return stringEnd(t, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t.charCodeAt(j);
      if (d === 0x22) { j = stringEnd(t, j) - 1; if (j < 0) return -1; }
      else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) { if (--depth === 0) return j + 1; }
    }
    return -1;
  }
  let j = i;
  while (j < t.length) { const d = t.charCodeAt(j); if (d === 0x2c || d === 0x7d || d === 0x5d || isSpace(d)) break; j++; }
  return j > i ? j : -1;
}

/**
 * A record read member by member: `get(path)` parses only the top-level member the path starts
 * in — the longest key that is the path or a prefix of it followed by a dot, as the filter
 * language resolves keys that contain dots — and caches it.
 */
export class LazyRecord {
  readonly #text: string;
  readonly #members: Members | undefined;
  #whole: Record<string, unknown> | undefined;
  readonly #parsed = new Map<string, unknown>();
  constructor(text: string) { this.#text = text; this.#members = members(text); }

  /** A record object holding at least the member `path` starts in (the whole record when the text could not be split). */
  forPath(path: string): Record<string, unknown> {
    if (!this.#members) return (this.#whole ??= JSON.parse(this.#text) as Record<string, unknown>);
    let best: string | undefined;
    for (const k of this.#members.keys()) {
      if ((path === k || (path.startsWith(k) && path.charCodeAt(k.length) === 0x2e)) && (best === undefined || k.length > best.length)) best = k;
    }
    const out: Record<string, unknown> = {};
    if (best === undefined) return out;
    let v = this.#parsed.get(best);
    if (v === undefined) {
      const [a, b] = this.#members.get(best)!;
      v = JSON.parse(this.#text.slice(a, b));
      this.#parsed.set(best, v);
    }
    out[best] = v;
    return out;
  }
}
