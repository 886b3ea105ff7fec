/**
 * @module tracecap/browser/app/query — the filter language of the browser app: Wireshark display
 * filters crossed with Cloud Logging queries, evaluated over tracecap's NDJSON records. Pure
 * TypeScript (no DOM, no Node APIs): it runs in the app's Web Worker.
 *
 * Grammar (keywords case-insensitive; whitespace separates tokens and is otherwise ignored):
 *
 *     query      := ε | or                                   (empty text matches every record)
 *     or         := and (("or" | "||") and)*
 *     and        := unary (("and" | "&&")? unary)*           (juxtaposition means "and")
 *     unary      := ("not" | "!") unary | primary
 *     primary    := "(" or ")" | WORD OP value | WORD | STRING
 *     OP         := "==" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "=~"
 *     value      := NUMBER | STRING | WORD                   ("=~" takes a STRING only)
 *     WORD       := [A-Za-z0-9_./:*-]+   (not "and", "or", "not")
 *     STRING     := "..." | '...'  with \" \' \\ \n \r \t \b \f \/ \uXXXX; any other \x stays as
 *                   the two characters, so regular expressions such as "\d+" need no doubling
 *     NUMBER     := a WORD of the form -?digits(.digits)?  (so 10.0.0.1 and fe80::1 are strings)
 *
 * Precedence: not > and > or. A WORD before OP is a path: it must start with a letter or "_",
 * have no empty segment, and name a field of the catalog (fields.ts): an unknown path is an error
 * that names close fields (`unknown field "tcp.port" (did you mean L4.dst or L4.src?)`). A `*`
 * segment stands for any key or index (`HTTP.streams.*.id`). A term alone is decided as follows:
 *   - a quoted STRING alone is free text: a case-insensitive substring of the record's JSON text;
 *   - a WORD alone that names a catalog field (case-sensitive: `HTTP`, not `http`) is an
 *     exists-check (present and not null); one that looks like a field but is not in the catalog
 *     (a dot, and a record key or a Wireshark protocol first: `tcp.port`, `L4.nope`) is the error
 *     above; any other WORD alone (`GET`, `404`, `10.0.0.1`, `http`, `example.com`) is free text.
 *
 * Comparisons: when the field and the value both read as finite numbers (a JSON number, or a
 * string of a decimal number such as L4.len "0"; a quoted value "200" reads as 200 too), they
 * compare numerically (integers beyond 2^53 given as strings, such as flow ids, compare exactly);
 * otherwise as strings (== and != exact and case-sensitive, < and > by UTF-16 code units).
 * A comparison with `severity` follows Cloud Logging: see SEVERITY_RANK. Booleans compare with
 * true/false. `~` is a case-insensitive substring test and `=~` a JavaScript RegExp test, both on
 * the string form. An array holds a comparison when any element does, and an object when any of
 * its leaf values does, recursively — never its keys; for `~` and `=~` the boolean leaves of an
 * object do not count (their text true/false is no value of the field): `L4.flags ~ FIN` tests
 * the flags' `str` ("FIN|ACK"), `bin`, `hex` and `dec`, not the keys or the true/false of `map`,
 * so it matches exactly the segments with FIN set. `!=` is the negation of `==` on a present
 * field (so `L3.flags != DF` means "no DF flag"). A missing (or null) field makes every
 * comparison false, `!=` included: `not HTTP.code == 200` means "not 200, or no HTTP".
 *
 * Addresses: on a field whose values are IP addresses (fields.ts type `address`: L3.src/dst,
 * L3.endpoints.src/dst, ARP.*.IP, DNS.answers.A/AAAA, ICMP addresses, iface.addrs), `==` and `!=`
 * take an address or a network (`L3.src == 10.0.0.0/8`, `L3.dst != fd00::/8`) and compare
 * addresses, not text (`fe80:0::1` equals `fe80::1`); `<`, `<=`, `>`, `>=` take an address and
 * order addresses. Both sides are read in IPv6 space, an IPv4 address as its IPv4-mapped form
 * (RFC 4291 §2.5.5.2), so `::ffff:10.0.0.1` (as ICMPv6 quotes write it) is in 10.0.0.0/8 and
 * `::ffff:10.0.0.0/104` is 10.0.0.0/8. Any other value there, or a malformed network, is an
 * error with its position. `~` and `=~` stay text tests (`L3.src ~ 192.168.`).
 *
 * Normalized fields (fields.ts NORMALIZED): HTTP/1 writes `HTTP.method`, `HTTP.code`, `HTTP.url`,
 * `HTTP.kind`, `HTTP.headers.*`, `HTTP.body.*` and the trace keys (`logging.googleapis.com/trace`,
 * `…/spanId`, `…/trace_sampled`) where they say; HTTP/2 (gRPC included) writes them in each frame
 * of `HTTP.streams.<id>.frames` (`headers[":method"]`, `headers[":status"]`, `headers[":path"]`,
 * the frame's trace keys). Those paths read both places: a comparison holds when any of the values
 * found does, as for an array, and `!=` holds when there is a value and none equals. So
 * `HTTP.code >= 400`, `HTTP.method == GET`, `HTTP.url ~ /v1` and `logging.googleapis.com/trace ~
 * 6b322b9a` select HTTP/1 and HTTP/2 packets alike; `HTTP.grpc.status` reads the frames' gRPC
 * keys. `HTTP.proto` is written by both (`HTTP/1.1`, `h2c`).
 */

import { MAX_COMPLETIONS, FIELD_VALUES, TOP_LEVEL_KEYS, completeFields, fieldInfo, fieldSources, looksLikeField, suggestFields } from './fields.js';

/** The longest query text accepted, in UTF-16 code units. */
export const MAX_QUERY_LENGTH = 4096;
/** The deepest nesting of parentheses and not/! accepted. */
export const MAX_QUERY_DEPTH = 64;

/** The record's top-level keys (fields.ts): each alone is an exists-check. */
export const TOP_LEVEL: ReadonlySet<string> = TOP_LEVEL_KEYS;

/** A compiled filter. */
export interface Query {
  /** True when the record matches. get(path) resolves a path (see resolvePath); text() returns the record's JSON text (for free-text terms). */
  test(get: (path: string) => unknown, text: () => string): boolean;
  /** Every raw path the query reads (normalized fields add their HTTP/2 frame path), deduplicated, in order of appearance. */
  readonly paths: readonly string[];
  /** Whether the query has free-text terms (then text() is needed). */
  readonly usesText: boolean;
  /** The normalised source (for the URL). */
  readonly source: string;
}

/** A refused query's first error: what, and where (`length` characters from `offset`, to underline). */
export interface QueryError { message: string; offset: number; length: number }

/** parseQuery's answer: a query, or the first error with its position in the text. */
export type ParseResult = { ok: true; query: Query } | { ok: false; error: QueryError };

// ───────────────────────────── lexer ─────────────────────────────

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '=~';

type Token =
  | { t: 'word'; text: string; at: number; end: number }
  | { t: 'string'; text: string; at: number; end: number }
  | { t: 'op'; op: Op; text: string; at: number; end: number }
  | { t: '(' | ')' | 'and' | 'or' | 'not'; text: string; at: number; end: number }
  | { t: 'eof'; text: string; at: number; end: number };

interface Failure {
  fail: true;
  message: string;
  offset: number;
  length: number;
}

/** The error at `offset`, spanning `length` characters (0 at the end of the text). */
function failure(message: string, offset: number, length = 1): Failure {
  return { fail: true, message: `${message} at ${offset}`, offset, length };
}

/** The error on a token, spanning it. */
function failAt(message: string, tok: { at: number; end: number }): Failure {
  return failure(message, tok.at, tok.end - tok.at);
}

function isFailure(x: unknown): x is Failure {
  return typeof x === 'object' && x !== null && (x as { fail?: unknown }).fail === true;
}

const WORD_CHAR = /[A-Za-z0-9_./:*-]/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const INTEGER = /^-?\d+$/;
// A `*` is a whole segment (any key or index), never part of one.
const PATH = /^[A-Za-z_][A-Za-z0-9_/:-]*(?:\.(?:[A-Za-z0-9_/:-]+|\*))*$/;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"', "'": "'", '\\': '\\', '/': '/', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f',
};

function isKeyword(word: string): 'and' | 'or' | 'not' | undefined {
  const w = word.toLowerCase();
  return w === 'and' || w === 'or' || w === 'not' ? w : undefined;
}

/** Splits the text into tokens, ending with an eof token; the first bad character is an error. */
function lex(src: string): Token[] | Failure {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    const at = i;
    const two = src.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '<=' || two === '>=' || two === '=~') {
      out.push({ t: 'op', op: two, text: two, at, end: i + 2 });
      i += 2;
    } else if (two === '&&' || two === '||') {
      out.push({ t: two === '&&' ? 'and' : 'or', text: two, at, end: i + 2 });
      i += 2;
    } else if (c === '=') {
      out.push({ t: 'op', op: '==', text: c, at, end: i + 1 });
      i++;
    } else if (c === '<' || c === '>' || c === '~') {
      out.push({ t: 'op', op: c, text: c, at, end: i + 1 });
      i++;
    } else if (c === '!') {
      out.push({ t: 'not', text: c, at, end: i + 1 });
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c, text: c, at, end: i + 1 });
      i++;
    } else if (c === '"' || c === "'") {
      const s = lexString(src, i);
      if (isFailure(s)) return s;
      out.push({ t: 'string', text: s.value, at, end: s.end });
      i = s.end;
    } else if (WORD_CHAR.test(c)) {
      while (i < src.length && WORD_CHAR.test(src[i] as string)) i++;
      const text = src.slice(at, i);
      const kw = isKeyword(text);
      out.push(kw ? { t: kw, text, at, end: i } : { t: 'word', text, at, end: i });
    } else if (c === '&' || c === '|') {
      return failure(`unexpected "${c}" (use "${c}${c}" or "${c === '&' ? 'and' : 'or'}")`, at);
    } else {
      return failure(`unexpected character ${JSON.stringify(c)} (quote values that contain it)`, at);
    }
  }
  out.push({ t: 'eof', text: '', at: src.length, end: src.length });
  return out;
}

/** Reads the quoted string that starts at `start`; returns its value and the offset after it. */
function lexString(src: string, start: number): { value: string; end: number } | Failure {
  const quote = src[start];
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === quote) return { value, end: i + 1 };
    if (c !== '\\') { value += c; i++; continue; }
    const e = src[i + 1];
    if (e === undefined) break;
    if (e === 'u') {
      const hex = src.slice(i + 2, i + 6);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) return failure('expected 4 hex digits after "\\u"', i, 2);
      value += String.fromCharCode(parseInt(hex, 16));
      i += 6;
      continue;
    }
    // Unknown escapes keep their backslash so that regular expressions ("\d", "\.") read naturally.
    value += SIMPLE_ESCAPES[e] ?? '\\' + e;
    i += 2;
  }
  return failure(`unterminated string starting`, start, src.length - start);
}

// ───────────────────────────── AST ─────────────────────────────

interface Value {
  /** The string form, compared when either side does not read as a number. */
  str: string;
  /** The numeric reading, when the value reads as a finite decimal number. */
  num: number | undefined;
  /** The exact integer, for comparisons beyond Number's precision. */
  big: bigint | undefined;
  /** Whether the value was quoted (kept for the normalised source). */
  quoted: boolean;
}

type Node =
  | { k: 'and' | 'or'; xs: Node[] }
  | { k: 'not'; x: Node }
  // sources: the raw paths the field reads (fields.ts fieldSources); net: the address or network
  // of a comparison on an address field.
  | { k: 'cmp'; path: string; sources: readonly string[]; op: Op; value: Value; re: RegExp | undefined; net: Net | undefined }
  | { k: 'exists'; path: string; sources: readonly string[] }
  | { k: 'text'; needle: string; quoted: boolean };

function readValue(str: string, quoted: boolean): Value {
  const isNum = DECIMAL.test(str);
  return {
    str,
    quoted,
    num: isNum ? Number(str) : undefined,
    big: isNum && INTEGER.test(str) ? BigInt(str) : undefined,
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// ───────────────────────────── addresses ─────────────────────────────

/**
 * An address (bits 128) or a network, in IPv6 space: an IPv4 address is its IPv4-mapped form
 * ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), so both families and the mapped spelling compare as one.
 */
interface Net { bytes: Uint8Array; bits: number }

/** Parses the dotted quad s[start, end) into out[at..at+4); false when it is none. */
function ip4Into(s: string, start: number, end: number, out: Uint8Array, at: number): boolean {
  let part = 0;
  let digits = 0;
  let v = 0;
  for (let i = start; i <= end; i++) {
    // A virtual dot at the end closes the last part.
    const c = i < end ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[at + part++] = v;
      v = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + c - 0x30;
      if (++digits > 3 || v > 255) return false;
    } else {
      return false;
    }
  }
  return part === 4;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/**
 * Parses an IPv4 or IPv6 address (RFC 4291 §2.2 text, as the core writes them) into 16 bytes
 * of out, IPv4 as its mapped form; false when s is no address. Allocates nothing: it runs on a
 * field of every record a filter reads.
 */
function addressInto(s: string, out: Uint8Array): boolean {
  const n = s.length;
  if (s.indexOf(':') < 0) {
    out.fill(0, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    return ip4Into(s, 0, n, out, 12);
  }
  let g = 0; // groups written
  let gap = -1; // the group index where "::" stands
  let i = 0;
  if (s.charCodeAt(0) === 0x3a) {
    if (s.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let j = i;
    let v = 0;
    while (j < n && j - i < 5) {
      const h = hexDigit(s.charCodeAt(j));
      if (h < 0) break;
      v = v * 16 + h;
      j++;
    }
    if (j < n && s.charCodeAt(j) === 0x2e) {
      // An IPv4 tail takes the last two groups.
      if (g > 6 || !ip4Into(s, i, n, out, 2 * g)) return false;
      g += 2;
      break;
    }
    if (j === i || j - i > 4 || g >= 8) return false;
    out[2 * g] = v >> 8;
    out[2 * g + 1] = v & 0xff;
    g++;
    i = j;
    if (i === n) break;
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i < n && s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = g;
      i++;
    } else if (i === n) {
      return false;
    }
  }
  if (gap < 0) return g === 8;
  if (g > 7) return false;
  // Move the groups after "::" to the end (from the last, as they may overlap), zero the gap.
  const tail = g - gap;
  for (let k = tail - 1; k >= 0; k--) {
    out[2 * (8 - tail + k)] = out[2 * (gap + k)] as number;
    out[2 * (8 - tail + k) + 1] = out[2 * (gap + k) + 1] as number;
  }
  out.fill(0, 2 * gap, 2 * (8 - tail));
  return true;
}

/** Parses an address or an address/prefix network; a message when it is neither. */
function parseNet(text: string): Net | string {
  const slash = text.indexOf('/');
  const bytes = new Uint8Array(16);
  const addr = slash < 0 ? text : text.slice(0, slash);
  if (!addressInto(addr, bytes)) {
    return slash < 0 ? `"${text}" is no address` : `"${text}" is no network (expected an address/prefix length, as 10.0.0.0/8 or fd00::/8)`;
  }
  if (slash < 0) return { bytes, bits: 128 };
  const v4 = !addr.includes(':');
  const max = v4 ? 32 : 128;
  const len = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) {
    return `"${text}" is no network (the prefix length of an ${v4 ? 'IPv4' : 'IPv6'} network is 0 to ${max})`;
  }
  const bits = Number(len) + (v4 ? 96 : 0);
  // Host bits are ignored, as Wireshark does: 10.1.2.3/8 is 10.0.0.0/8.
  for (let b = bits; b < 128; b++) bytes[b >> 3] = (bytes[b >> 3] as number) & ~(0x80 >> (b & 7));
  return { bytes, bits };
}

/** Whether the parsed address a lies in net. */
function inNet(a: Uint8Array, net: Net): boolean {
  const full = net.bits >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== net.bytes[i]) return false;
  const rest = net.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[full] as number) & mask) === net.bytes[full];
}

/** Orders two parsed addresses (IPv6 space). */
function orderAddress(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

// ───────────────────────────── parser ─────────────────────────────

function orList(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;
}

/**
 * The error for a path the catalog does not know, naming close fields; a word alone may have
 * been meant as text (a host name such as dns.google), and quoting it says so.
 */
function unknownField(tok: Token, alone: boolean): Failure {
  const near = suggestFields(tok.text);
  const hints = [...(near.length > 0 ? [`did you mean ${orList(near)}?`] : []), ...(alone ? ['quote it to search for the text'] : [])];
  return failAt(`unknown field "${tok.text}"${hints.length > 0 ? ` (${hints.join(' ')})` : ''}`, tok);
}

/** Recursive descent over the tokens; every function returns a node or the first failure. */
class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    // The token list always ends with eof, and pos never moves past it.
    return this.tokens[this.pos] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  private next(): Token {
    const tok = this.peek();
    if (tok.t !== 'eof') this.pos++;
    return tok;
  }

  parseAll(): Node | undefined | Failure {
    if (this.peek().t === 'eof') return undefined;
    const node = this.parseOr();
    if (isFailure(node)) return node;
    const tok = this.peek();
    if (tok.t === 'eof') return node;
    if (tok.t === ')') return failAt('unexpected ")" without a matching "("', tok);
    return failAt(`unexpected ${describe(tok)}`, tok);
  }

  private parseOr(): Node | Failure {
    const first = this.parseAnd();
    if (isFailure(first)) return first;
    const xs = [first];
    while (this.peek().t === 'or') {
      const op = this.next();
      const right = this.parseAnd(op);
      if (isFailure(right)) return right;
      xs.push(right);
    }
    return xs.length === 1 ? first : { k: 'or', xs };
  }

  /** `after` is the keyword that demanded this operand (for the error message). */
  private parseAnd(after?: Token): Node | Failure {
    const first = this.parseUnary(after);
    if (isFailure(first)) return first;
    const xs = [first];
    for (;;) {
      const tok = this.peek();
      if (tok.t === 'and') {
        this.next();
        const right = this.parseUnary(tok);
        if (isFailure(right)) return right;
        xs.push(right);
      } else if (startsTerm(tok)) {
        // Juxtaposition: two terms side by side mean "and", as in Cloud Logging.
        const right = this.parseUnary();
        if (isFailure(right)) return right;
        xs.push(right);
      } else {
        break;
      }
    }
    return xs.length === 1 ? first : { k: 'and', xs };
  }

  private parseUnary(after?: Token): Node | Failure {
    const tok = this.peek();
    if (tok.t === 'not') {
      this.next();
      if (++this.depth > MAX_QUERY_DEPTH) return failAt(`nesting deeper than ${MAX_QUERY_DEPTH}`, tok);
      const x = this.parseUnary(tok);
      this.depth--;
      if (isFailure(x)) return x;
      return { k: 'not', x };
    }
    return this.parsePrimary(after);
  }

  private parsePrimary(after?: Token): Node | Failure {
    const tok = this.peek();
    switch (tok.t) {
      case '(': {
        this.next();
        if (++this.depth > MAX_QUERY_DEPTH) return failAt(`nesting deeper than ${MAX_QUERY_DEPTH}`, tok);
        if (this.peek().t === ')') return failAt('expected a term after "("', this.peek());
        const inner = this.parseOr();
        this.depth--;
        if (isFailure(inner)) return inner;
        const close = this.peek();
        if (close.t !== ')') {
          return failAt(`expected ")" to close the "(" at ${tok.at}, found ${describe(close)}`, close);
        }
        this.next();
        return inner;
      }
      case 'word': {
        this.next();
        const op = this.peek();
        if (op.t === 'op') return this.parseComparison(tok, op);
        if (PATH.test(tok.text)) {
          if (fieldInfo(tok.text)) return { k: 'exists', path: tok.text, sources: fieldSources(tok.text) };
          if (looksLikeField(tok.text)) return unknownField(tok, true);
        }
        return { k: 'text', needle: tok.text, quoted: false };
      }
      case 'string': {
        this.next();
        const op = this.peek();
        if (op.t === 'op') return failAt(`expected a path before "${op.text}", found a quoted string (paths are not quoted)`, tok);
        return { k: 'text', needle: tok.text, quoted: true };
      }
      case 'op':
        return failAt(`expected a path before "${tok.text}"`, tok);
      default: {
        const where = after ? ` after "${after.text}"` : '';
        return failAt(`expected a term${where}, found ${describe(tok)}`, tok);
      }
    }
  }

  private parseComparison(path: Token, opTok: Extract<Token, { t: 'op' }>): Node | Failure {
    if (/^[0-9]/.test(path.text)) {
      return failAt(`expected a path before "${opTok.text}", found "${path.text}" (a path cannot start with a digit)`, path);
    }
    if (!PATH.test(path.text)) return failAt(`invalid path "${path.text}" (empty segment or bad first character)`, path);
    const field = fieldInfo(path.text);
    if (!field) return unknownField(path, false);
    const sources = fieldSources(path.text);
    this.next();
    const tok = this.peek();
    const op = opTok.op;
    if (op === '=~') {
      if (tok.t !== 'string') {
        return failAt(`expected a quoted regular expression after "=~", found ${describe(tok)}`, tok);
      }
      this.next();
      let re: RegExp;
      try {
        re = new RegExp(tok.text);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return failAt(`invalid regular expression (${why})`, tok);
      }
      const after = this.peek();
      if (after.t === 'op') return failAt(`unexpected "${after.text}" after a comparison (use "and" to chain)`, after);
      return { k: 'cmp', path: path.text, sources, op, value: readValue(tok.text, true), re, net: undefined };
    }
    if (tok.t !== 'word' && tok.t !== 'string') {
      const hint = tok.t === 'and' || tok.t === 'or' || tok.t === 'not' ? ` (quote "${tok.text}" to compare with the word)` : '';
      return failAt(`expected a value after "${opTok.text}", found ${describe(tok)}${hint}`, tok);
    }
    this.next();
    const value = readValue(tok.text, tok.t === 'string');
    const re = op === '~' ? new RegExp(escapeRegExp(value.str), 'i') : undefined;
    let net: Net | undefined;
    if (field.type === 'address' && op !== '~') {
      // Addresses compare as addresses: the value must be one (or, for == and !=, a network).
      const parsed = parseNet(tok.text);
      if (typeof parsed === 'string') {
        return failAt(`${path.text} holds addresses: expected an address${op === '==' || op === '!=' ? ' or a network' : ''} after "${opTok.text}", but ${parsed}`, tok);
      }
      if (parsed.bits < 128 && op !== '==' && op !== '!=') {
        return failAt(`a network compares with == or != only, not "${opTok.text}"`, tok);
      }
      net = parsed;
    }
    const after = this.peek();
    if (after.t === 'op') return failAt(`unexpected "${after.text}" after a comparison (use "and" to chain)`, after);
    return { k: 'cmp', path: path.text, sources, op, value, re, net };
  }
}

function startsTerm(tok: Token): boolean {
  return tok.t === 'word' || tok.t === 'string' || tok.t === '(' || tok.t === 'not';
}

function describe(tok: Token): string {
  switch (tok.t) {
    case 'eof': return 'the end of the query';
    case 'string': return 'a quoted string';
    default: return `"${tok.text}"`;
  }
}

// ───────────────────────────── evaluation ─────────────────────────────

/**
 * Cloud Logging's LogSeverity order. A record without `severity` has severity DEFAULT there, so
 * `severity == DEFAULT` and `severity != ERROR` match it here too (the bare exists-check
 * `severity` still asks whether the record sets the key). When the field and the value are both
 * severity names (case-insensitive), they compare by this rank, so `severity >= WARNING` includes
 * ERROR and CRITICAL.
 */
const SEVERITY_RANK: Readonly<Record<string, number>> = {
  DEFAULT: 0, DEBUG: 100, INFO: 200, NOTICE: 300, WARNING: 400, ERROR: 500, CRITICAL: 600, ALERT: 700, EMERGENCY: 800,
};

function severityRank(s: string): number | undefined {
  const name = s.toUpperCase();
  return Object.prototype.hasOwnProperty.call(SEVERITY_RANK, name) ? SEVERITY_RANK[name] : undefined;
}

/** The string form of a scalar field value. */
function stringForm(x: unknown): string {
  return typeof x === 'string' ? x : String(x);
}

function order<T extends number | bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Three-way comparison of one scalar field value with the value; NaN when incomparable. */
function compare(x: unknown, v: Value, severity: boolean): number {
  if (x === undefined || x === null) return NaN;
  if (typeof x === 'number') {
    return v.num !== undefined && Number.isFinite(x) ? order(x, v.num) : order(String(x), v.str);
  }
  if (typeof x === 'string') {
    if (v.num !== undefined && DECIMAL.test(x)) {
      // Flow ids and hashes are 64-bit integers in strings: compare those exactly.
      if (v.big !== undefined && INTEGER.test(x) && (x.length > 15 || !Number.isSafeInteger(v.num))) {
        return order(BigInt(x), v.big);
      }
      return order(Number(x), v.num);
    }
    if (severity) {
      const a = severityRank(x);
      const b = severityRank(v.str);
      if (a !== undefined && b !== undefined) return order(a, b);
    }
    return order(x, v.str);
  }
  if (typeof x === 'boolean') {
    const lower = v.str.toLowerCase();
    if (lower === 'true' || lower === 'false') return order(Number(x), lower === 'true' ? 1 : 0);
    return order(String(x), v.str);
  }
  return order(stringForm(x), v.str);
}

/**
 * Whether `pred` holds for the value: for an array, for any element; for an object, for any of
 * its leaf values (nested arrays and objects too), never its keys. With `textual` (~ and =~) an
 * object's boolean leaves are passed over: true/false is no text of the field (a flag map's
 * "false" would match `~ a`).
 */
function any(x: unknown, pred: (y: unknown) => boolean, textual: boolean): boolean {
  if (Array.isArray(x)) {
    for (const y of x) if (any(y, pred, textual)) return true;
    return false;
  }
  if (x !== null && typeof x === 'object') {
    for (const k in x) {
      const y = (x as Record<string, unknown>)[k];
      if (textual && typeof y === 'boolean') continue;
      if (any(y, pred, textual)) return true;
    }
    return false;
  }
  return pred(x);
}

/** Whether any of the raw paths has a value (not null). */
function present(env: Env, sources: readonly string[]): boolean {
  for (const p of sources) {
    const v = env.get(p);
    if (v !== undefined && v !== null) return true;
  }
  return false;
}

/** The per-query evaluation state, reused across test() calls so that a call allocates nothing. */
interface Env {
  get: (path: string) => unknown;
  text: () => string;
  /** The record's JSON text, fetched at most once per test() call. */
  cached: string | undefined;
}

type Eval = (env: Env) => boolean;

function compile(node: Node): Eval {
  switch (node.k) {
    case 'and': {
      const xs = node.xs.map(compile);
      return (env) => {
        for (const x of xs) if (!x(env)) return false;
        return true;
      };
    }
    case 'or': {
      const xs = node.xs.map(compile);
      return (env) => {
        for (const x of xs) if (x(env)) return true;
        return false;
      };
    }
    case 'not': {
      const x = compile(node.x);
      return (env) => !x(env);
    }
    case 'exists': {
      const sources = node.sources;
      return (env) => present(env, sources);
    }
    case 'text': {
      // In JSON text a needle's quotes, backslashes and control characters are escaped, and
      // tracecap (like Go) also writes <, > and & as \u003c, \u003e, \u0026: try each form.
      const json = JSON.stringify(node.needle).slice(1, -1);
      const go = json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
      const alternatives = [...new Set([node.needle, json, go])].map(escapeRegExp).join('|');
      const re = new RegExp(alternatives, 'i');
      return (env) => {
        if (env.cached === undefined) env.cached = env.text();
        return re.test(env.cached);
      };
    }
    case 'cmp':
      return compileComparison(node);
  }
}

// One parsed address per evaluation, reused: a comparison on an address field parses the
// record's text into it, so a scan allocates nothing for it.
const ADDRESS = new Uint8Array(16);

function compileComparison(node: Node & { k: 'cmp' }): Eval {
  const { path, sources, op, value, re, net } = node;
  const severity = path === 'severity';
  const cmp = (y: unknown): number => compare(y, value, severity);
  const matches = (y: unknown): boolean => y !== undefined && y !== null && (re as RegExp).test(stringForm(y));
  let pred: (y: unknown) => boolean;
  if (net) {
    const at = (y: unknown): number => (typeof y === 'string' && addressInto(y, ADDRESS) ? orderAddress(ADDRESS, net.bytes) : NaN);
    switch (op) {
      case '==': case '!=': pred = (y) => typeof y === 'string' && addressInto(y, ADDRESS) && inNet(ADDRESS, net); break;
      case '<': pred = (y) => at(y) < 0; break;
      case '<=': pred = (y) => at(y) <= 0; break;
      case '>': pred = (y) => at(y) > 0; break;
      default: pred = (y) => at(y) >= 0; break;
    }
  } else {
    switch (op) {
      case '==': case '!=': pred = (y) => cmp(y) === 0; break;
      case '<': pred = (y) => cmp(y) < 0; break;
      case '<=': pred = (y) => cmp(y) <= 0; break;
      case '>': pred = (y) => cmp(y) > 0; break;
      case '>=': pred = (y) => cmp(y) >= 0; break;
      case '~': case '=~': pred = matches; break;
    }
  }
  const textual = op === '~' || op === '=~';
  if (severity) {
    // A record without severity is DEFAULT (Cloud Logging); severity has no other source.
    return op === '!=' ? (env) => !any(env.get(path) ?? 'DEFAULT', pred, textual) : (env) => any(env.get(path) ?? 'DEFAULT', pred, textual);
  }
  if (op === '!=') {
    return (env) => {
      let seen = false;
      for (const p of sources) {
        const x = env.get(p);
        if (x === undefined || x === null) continue;
        if (any(x, pred, false)) return false;
        seen = true;
      }
      return seen;
    };
  }
  return (env) => {
    for (const p of sources) if (any(env.get(p), pred, textual)) return true;
    return false;
  };
}

// ───────────────────────────── normalised source ─────────────────────────────

function quote(s: string): string {
  return JSON.stringify(s);
}

function valueSource(v: Value): string {
  // A bare word stays bare only if it would lex back to the same word.
  if (!v.quoted && /^[A-Za-z0-9_./:-]+$/.test(v.str) && !isKeyword(v.str)) return v.str;
  return quote(v.str);
}

function render(node: Node, parent: 'or' | 'and' | 'not' | 'top'): string {
  switch (node.k) {
    case 'or': {
      const s = node.xs.map((x) => render(x, 'or')).join(' or ');
      return parent === 'top' || parent === 'or' ? s : `(${s})`;
    }
    case 'and': {
      const s = node.xs.map((x) => render(x, 'and')).join(' and ');
      return parent === 'not' ? `(${s})` : s;
    }
    case 'not':
      return `not ${render(node.x, 'not')}`;
    case 'exists':
      return node.path;
    case 'text':
      return node.quoted ? quote(node.needle) : node.needle;
    case 'cmp':
      return `${node.path} ${node.op} ${valueSource(node.value)}`;
  }
}

function collect(node: Node, paths: string[], seen: Set<string>): boolean {
  switch (node.k) {
    case 'and': case 'or': {
      let usesText = false;
      for (const x of node.xs) usesText = collect(x, paths, seen) || usesText;
      return usesText;
    }
    case 'not':
      return collect(node.x, paths, seen);
    case 'text':
      return true;
    case 'exists': case 'cmp':
      for (const p of node.sources) if (!seen.has(p)) { seen.add(p); paths.push(p); }
      return false;
  }
}

// ───────────────────────────── API ─────────────────────────────

const MATCH_ALL: Query = Object.freeze({
  test: () => true,
  paths: Object.freeze([]) as readonly string[],
  usesText: false,
  source: '',
});

/** Parses and compiles a filter; never throws. Empty or whitespace-only text matches every record. */
export function parseQuery(text: string): ParseResult {
  if (typeof text !== 'string') return { ok: false, error: { message: 'expected the query as a string at 0', offset: 0, length: 0 } };
  if (text.length > MAX_QUERY_LENGTH) {
    const f = failure(`query longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH, text.length - MAX_QUERY_LENGTH);
    return { ok: false, error: { message: f.message, offset: f.offset, length: f.length } };
  }
  const tokens = lex(text);
  const node = isFailure(tokens) ? tokens : new Parser(tokens).parseAll();
  if (isFailure(node)) return { ok: false, error: { message: node.message, offset: node.offset, length: node.length } };
  if (node === undefined) return { ok: true, query: MATCH_ALL };
  const paths: string[] = [];
  const usesText = collect(node, paths, new Set());
  const run = compile(node);
  const noGet = (): unknown => undefined;
  const noText = (): string => '';
  const env: Env = { get: noGet, text: noText, cached: undefined };
  const query: Query = {
    test(get, text) {
      // Save and restore so a get() that re-enters test() cannot confuse the outer call.
      const savedGet = env.get;
      const savedText = env.text;
      const savedCached = env.cached;
      env.get = get;
      env.text = text;
      env.cached = undefined;
      try {
        return run(env);
      } finally {
        env.get = savedGet;
        env.text = savedText;
        env.cached = savedCached;
      }
    },
    paths: Object.freeze(paths),
    usesText,
    source: render(node, 'top'),
  };
  return { ok: true, query: Object.freeze(query) };
}

/**
 * Resolves a raw dotted path against a parsed record with the greedy key rule below (no
 * normalized fields: see resolveField); undefined when absent. A `*` segment maps over an
 * object's values or an array's elements.
 */
export function resolvePath(record: unknown, path: string): unknown {
  if (path === '') return undefined;
  return walk(record, path, 0);
}

/**
 * Resolves path[start..] against `cur`. At an object the longest own key equal to a prefix of the
 * rest that ends at a dot or at the end wins (no backtracking), so `logging.googleapis.com/trace`
 * is one key; a `*` segment maps over its values. At an array a numeric segment indexes it, `*`
 * maps over the elements, and any other segment maps over the elements with that segment.
 * Mapping collects the defined results (undefined when there are none).
 */
function walk(cur: unknown, path: string, start: number): unknown {
  for (;;) {
    const star = path.charCodeAt(start) === 0x2a && (start + 1 === path.length || path.charCodeAt(start + 1) === 0x2e);
    if (Array.isArray(cur)) {
      const dot = path.indexOf('.', start);
      const end = dot < 0 ? path.length : dot;
      const seg = path.slice(start, end);
      if (INTEGER.test(seg) && !seg.startsWith('-')) {
        cur = cur[Number(seg)];
        if (end === path.length) return cur;
        start = end + 1;
        continue;
      }
      const out: unknown[] = [];
      for (const el of cur) {
        const y = !star ? walk(el, path, start) : end === path.length ? el : walk(el, path, end + 1);
        if (y !== undefined) out.push(y);
      }
      return out.length > 0 ? out : undefined;
    }
    if (cur === null || typeof cur !== 'object') return undefined;
    if (star) {
      const out: unknown[] = [];
      for (const key in cur) {
        if (!Object.prototype.hasOwnProperty.call(cur, key)) continue;
        const v = (cur as Record<string, unknown>)[key];
        const y = start + 1 === path.length ? v : walk(v, path, start + 2);
        if (y !== undefined) out.push(y);
      }
      return out.length > 0 ? out : undefined;
    }
    // The object's keys are compared with the path in place rather than slicing the path at
    // each dot: a scan reads this for every record, and a slice is an allocation.
    let best: string | undefined;
    for (const key in cur) {
      const end = start + key.length;
      if ((best === undefined || key.length > best.length) && path.startsWith(key, start)
        && (end === path.length || path.charCodeAt(end) === 0x2e) && key.length > 0
        && Object.prototype.hasOwnProperty.call(cur, key)) best = key;
    }
    if (best === undefined) return undefined;
    cur = (cur as Record<string, unknown>)[best];
    if (start + best.length === path.length) return cur;
    start += best.length + 1;
  }
}

/** A get() for a parsed record, for Query.test (raw paths; caches nothing; use resolvePath). */
export function recordGetter(record: unknown): (path: string) => unknown {
  return (path) => resolvePath(record, path);
}

/**
 * A field's value in a parsed record as the filter sees it: a normalized field (HTTP.method,
 * HTTP.code, HTTP.url, the trace keys…) gathers the record's HTTP/1 value and its HTTP/2 frames'
 * values — one scalar as it is, else one flat array of them all (`['GET', 'POST']`); any other
 * path is resolvePath's. For a view or an index that wants what a filter compares; Query.test
 * reads the raw paths itself (Query.paths).
 */
export function resolveField(record: unknown, path: string): unknown {
  const sources = fieldSources(path);
  if (sources.length === 1) return resolvePath(record, path);
  const all: unknown[] = [];
  for (const p of sources) {
    const v = resolvePath(record, p);
    if (v !== undefined && v !== null) all.push(v);
  }
  if (all.length === 0) return undefined;
  if (all.length === 1 && !Array.isArray(all[0])) return all[0];
  return all.flat(Infinity);
}

// ───────────────────────────── help and completion ─────────────────────────────

/** A line of the help: what to type, and what it does. */
export interface HelpLine { text: string; doc: string }

/** The help popover's content: the operators and the words that join terms, then examples. */
export const QUERY_HELP: { readonly operators: readonly HelpLine[]; readonly examples: readonly HelpLine[] } = Object.freeze({
  operators: Object.freeze([
    { text: '==', doc: 'equals (also =); numbers as numbers, addresses also as networks: L3.src == 10.0.0.0/8' },
    { text: '!=', doc: 'has a value, and none equals: L3.flags != DF (a missing field never matches)' },
    { text: '<  <=  >  >=', doc: 'orders numbers, severities (WARNING < ERROR), addresses, else text' },
    { text: '~', doc: 'contains, any case; on an object any value, never a key: L4.flags ~ FIN' },
    { text: '=~', doc: 'JavaScript regular expression, in quotes: HTTP.url =~ "^/v1/items/\\d+"' },
    { text: 'field alone', doc: 'the field is present: HTTP, logging.googleapis.com/trace' },
    { text: '"text"', doc: 'free text anywhere in the record, any case (a bare word too: GET)' },
    { text: 'and  or  not', doc: 'also && || !; not binds tightest, then and; two terms side by side mean and' },
    { text: '( )', doc: 'grouping' },
  ]),
  examples: Object.freeze([
    { text: 'HTTP.code >= 400', doc: 'error responses, HTTP/1 and HTTP/2' },
    { text: 'HTTP.method == POST and HTTP.url ~ item', doc: 'POST requests to a path containing "item"' },
    { text: 'logging.googleapis.com/trace', doc: 'packets of traced exchanges' },
    { text: 'L3.src == 127.0.0.0/8', doc: 'from a network (CIDR; IPv6 too: fd00::/8)' },
    { text: 'L4.flags ~ SYN and not L4.flags ~ ACK', doc: 'connection attempts' },
    { text: 'L4.flags ~ FIN or L4.flags ~ RST', doc: 'connections closing' },
    { text: 'HTTP.headers.Content-Type ~ json', doc: 'a header, HTTP/1 and HTTP/2' },
    { text: 'HTTP.grpc.status > 0', doc: 'gRPC calls that failed' },
    { text: 'TLS.client_hello.sni ~ example', doc: 'TLS connections to a server name' },
    { text: 'severity == ERROR', doc: 'packets with a layer that could not be decoded' },
    { text: 'L4.len > 1000 and not HTTP', doc: 'large segments that start no HTTP message' },
    { text: '"keep-alive"', doc: 'free text, anywhere in the record' },
  ]),
});

/** One thing to offer at the cursor. */
export interface Completion {
  /** What the list shows. */
  label: string;
  /** What replaces the text between Completions.from and .to. */
  insert: string;
  /** What kind of thing it is. */
  kind: 'field' | 'operator' | 'keyword' | 'value';
  /** One line about it. */
  detail: string;
  /** For a field: whether the capture has it. */
  present?: boolean;
}

/** complete()'s answer: the items replace text[from, to). */
export interface Completions { from: number; to: number; items: Completion[] }

const KEYWORDS: readonly Completion[] = [
  { label: 'and', insert: 'and ', kind: 'keyword', detail: 'both terms' },
  { label: 'or', insert: 'or ', kind: 'keyword', detail: 'either term' },
  { label: 'not', insert: 'not ', kind: 'keyword', detail: 'the next term does not hold' },
];

const OPERATORS: readonly Completion[] = (['==', '!=', '<', '<=', '>', '>=', '~', '=~'] as const).map((op) => ({
  label: op,
  insert: `${op} `,
  kind: 'operator' as const,
  detail: QUERY_HELP.operators.find((l) => l.text.split(/\s+/).includes(op))?.doc ?? '',
}));

function fieldItems(typed: string, present: ReadonlySet<string> | undefined): Completion[] {
  return completeFields(typed, present).map((f) => ({ label: f.label, insert: f.insert, kind: 'field' as const, detail: f.doc, present: f.present }));
}

function keywordItems(typed: string): Completion[] {
  const lower = typed.toLowerCase();
  return KEYWORDS.filter((k) => k.label.startsWith(lower) && k.label !== lower);
}

/** Values worth offering for a field, after an operator. */
function valueItems(path: string, typed: string): Completion[] {
  const field = fieldInfo(path);
  const base = FIELD_VALUES[path] ?? (field?.type === 'bool' ? ['true', 'false'] : []);
  const lower = typed.toLowerCase();
  return base.filter((v) => v.toLowerCase().startsWith(lower) && v !== typed).map((v) => ({
    label: v,
    // A value with characters a bare word cannot hold goes in quotes.
    insert: /^[A-Za-z0-9_./:*-]+$/.test(v) && !isKeyword(v) ? v : quote(v),
    kind: 'value' as const,
    detail: field?.doc ?? '',
  }));
}

/**
 * What to offer at `cursor` in the filter text: field names where a term starts (those in
 * `present`, the capture's own from fields.ts collectFields, first), operators after a field,
 * values after an operator (severities, flags, methods, true/false…), and/or/not after a term.
 * Nothing inside a quoted string. At most MAX_COMPLETIONS items.
 */
export function complete(text: string, cursor: number, present?: ReadonlySet<string>): Completions {
  const at = Math.max(0, Math.min(text.length, Math.floor(Number.isFinite(cursor) ? cursor : text.length)));
  let from = at;
  while (from > 0 && WORD_CHAR.test(text[from - 1] as string)) from--;
  let to = at;
  while (to < text.length && WORD_CHAR.test(text[to] as string)) to++;
  const typed = text.slice(from, at);
  const none: Completions = { from: at, to: at, items: [] };
  const before = lex(text.slice(0, from));
  let tokens: Token[] = [];
  if (isFailure(before)) {
    if (before.message.startsWith('unterminated string')) return none;
  } else {
    tokens = before.slice(0, -1);
  }
  const last = tokens[tokens.length - 1];
  const prev = tokens[tokens.length - 2];
  let items: Completion[];
  if (last?.t === 'op') {
    items = prev?.t === 'word' && last.op !== '=~' ? valueItems(prev.text, typed) : [];
  } else if (last?.t === 'word' && prev?.t !== 'op' && typed === '' && fieldInfo(last.text)) {
    // Right after a field: an operator, or and/or to make it an exists-check.
    items = [...OPERATORS, ...KEYWORDS.slice(0, 2)];
  } else if (last !== undefined && (last.t === 'word' || last.t === 'string' || last.t === ')')) {
    // After a whole term: join another.
    items = [...keywordItems(typed), ...fieldItems(typed, present)];
  } else {
    // `not` first: the field names alone fill the list.
    items = [...keywordItems(typed).filter((k) => k.label === 'not'), ...fieldItems(typed, present)];
  }
  return { from, to, items: items.slice(0, MAX_COMPLETIONS) };
}
