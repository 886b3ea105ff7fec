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
 *     WORD       := [A-Za-z0-9_./:-]+   (not "and", "or", "not")
 *     STRING     := "..." | '...'  with \" \' \\ \n \r \t \b \f \/ \uXXXX; any other \x stays as
 *                   the two characters, so regular expressions such as "\d+" need no doubling
 *     NUMBER     := a WORD of the form -?digits(.digits)?  (so 10.0.0.1 and fe80::1 are strings)
 *
 * Precedence: not > and > or. A WORD before OP is a path: it must start with a letter or "_" and
 * have no empty segment. A term alone is decided as follows, and nothing else:
 *   - a quoted STRING alone is free text: a case-insensitive substring of the record's JSON text;
 *   - a WORD alone is an exists-check (present and not null) when it is a valid path that contains
 *     a dot or is one of the top-level names in TOP_LEVEL (case-sensitive: `HTTP`, not `http`);
 *     any other WORD alone (`GET`, `404`, `10.0.0.1`, `http`) is free text.
 *
 * Comparisons: when the field and the value both read as finite numbers (a JSON number, or a
 * string of a decimal number such as L4.len "0"; a quoted value "200" reads as 200 too), they
 * compare numerically (integers beyond 2^53 given as strings, such as flow ids, compare exactly);
 * otherwise as strings (== and != exact and case-sensitive, < and > by UTF-16 code units).
 * A comparison with `severity` follows Cloud Logging: see SEVERITY_RANK. Booleans compare with true/false. Objects compare
 * by their JSON text. `~` is a case-insensitive substring test and `=~` a JavaScript RegExp test,
 * both on the string form. An array holds a comparison when any element does, except `!=`, which
 * is the negation of `==` on a present field (so `L3.flags != DF` means "no DF flag"). A missing
 * (or null) field makes every comparison false, `!=` included: `not HTTP.code == 200` means
 * "not 200, or no HTTP".
 */

/** The longest query text accepted, in UTF-16 code units. */
export const MAX_QUERY_LENGTH = 4096;
/** The deepest nesting of parentheses and not/! accepted. */
export const MAX_QUERY_DEPTH = 64;

/** Top-level record keys that a bare word names as an exists-check even without a dot. */
export const TOP_LEVEL: ReadonlySet<string> = new Set([
  'L2', 'L3', 'L4', 'HTTP', 'DNS', 'ICMP', 'ARP', 'TLS', 'L7',
  'message', 'severity', 'timestamp', 'pcap', 'meta', 'flow', 'iface', 'local',
]);

/** A compiled filter. */
export interface Query {
  /** True when the record matches. get(path) resolves a path (see resolvePath); text() returns the record's JSON text (for free-text terms). */
  test(get: (path: string) => unknown, text: () => string): boolean;
  /** Every path the query reads, deduplicated, in order of appearance. */
  readonly paths: readonly string[];
  /** Whether the query has free-text terms (then text() is needed). */
  readonly usesText: boolean;
  /** The normalised source (for the URL). */
  readonly source: string;
}

/** parseQuery's answer: a query, or the first error with its character offset in the text. */
export type ParseResult = { ok: true; query: Query } | { ok: false; error: { message: string; offset: number } };

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
}

function failure(message: string, offset: number): Failure {
  return { fail: true, message: `${message} at ${offset}`, offset };
}

function isFailure(x: unknown): x is Failure {
  return typeof x === 'object' && x !== null && (x as { fail?: unknown }).fail === true;
}

const WORD_CHAR = /[A-Za-z0-9_./:-]/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;
const INTEGER = /^-?\d+$/;
const PATH = /^[A-Za-z_][A-Za-z0-9_/:-]*(?:\.[A-Za-z0-9_/:-]+)*$/;
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
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) return failure('expected 4 hex digits after "\\u"', i);
      value += String.fromCharCode(parseInt(hex, 16));
      i += 6;
      continue;
    }
    // Unknown escapes keep their backslash so that regular expressions ("\d", "\.") read naturally.
    value += SIMPLE_ESCAPES[e] ?? '\\' + e;
    i += 2;
  }
  return failure(`unterminated string starting`, start);
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
  | { k: 'cmp'; path: string; op: Op; value: Value; re: RegExp | undefined }
  | { k: 'exists'; path: string }
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

// ───────────────────────────── parser ─────────────────────────────

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
    if (tok.t === ')') return failure('unexpected ")" without a matching "("', tok.at);
    return failure(`unexpected ${describe(tok)}`, tok.at);
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
      if (++this.depth > MAX_QUERY_DEPTH) return failure(`nesting deeper than ${MAX_QUERY_DEPTH}`, tok.at);
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
        if (++this.depth > MAX_QUERY_DEPTH) return failure(`nesting deeper than ${MAX_QUERY_DEPTH}`, tok.at);
        if (this.peek().t === ')') return failure('expected a term after "("', this.peek().at);
        const inner = this.parseOr();
        this.depth--;
        if (isFailure(inner)) return inner;
        const close = this.peek();
        if (close.t !== ')') {
          return failure(`expected ")" to close the "(" at ${tok.at}, found ${describe(close)}`, close.at);
        }
        this.next();
        return inner;
      }
      case 'word': {
        this.next();
        const op = this.peek();
        if (op.t === 'op') return this.parseComparison(tok, op);
        if (PATH.test(tok.text) && (tok.text.includes('.') || TOP_LEVEL.has(tok.text))) {
          return { k: 'exists', path: tok.text };
        }
        return { k: 'text', needle: tok.text, quoted: false };
      }
      case 'string': {
        this.next();
        const op = this.peek();
        if (op.t === 'op') return failure(`expected a path before "${op.text}", found a quoted string (paths are not quoted)`, tok.at);
        return { k: 'text', needle: tok.text, quoted: true };
      }
      case 'op':
        return failure(`expected a path before "${tok.text}"`, tok.at);
      default: {
        const where = after ? ` after "${after.text}"` : '';
        return failure(`expected a term${where}, found ${describe(tok)}`, tok.at);
      }
    }
  }

  private parseComparison(path: Token, opTok: Extract<Token, { t: 'op' }>): Node | Failure {
    if (/^[0-9]/.test(path.text)) {
      return failure(`expected a path before "${opTok.text}", found "${path.text}" (a path cannot start with a digit)`, path.at);
    }
    if (!PATH.test(path.text)) return failure(`invalid path "${path.text}" (empty segment or bad first character)`, path.at);
    this.next();
    const tok = this.peek();
    const op = opTok.op;
    if (op === '=~') {
      if (tok.t !== 'string') {
        return failure(`expected a quoted regular expression after "=~", found ${describe(tok)}`, tok.at);
      }
      this.next();
      let re: RegExp;
      try {
        re = new RegExp(tok.text);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return failure(`invalid regular expression (${why})`, tok.at);
      }
      const after = this.peek();
      if (after.t === 'op') return failure(`unexpected "${after.text}" after a comparison (use "and" to chain)`, after.at);
      return { k: 'cmp', path: path.text, op, value: readValue(tok.text, true), re };
    }
    if (tok.t !== 'word' && tok.t !== 'string') {
      const hint = tok.t === 'and' || tok.t === 'or' || tok.t === 'not' ? ` (quote "${tok.text}" to compare with the word)` : '';
      return failure(`expected a value after "${opTok.text}", found ${describe(tok)}${hint}`, tok.at);
    }
    this.next();
    const value = readValue(tok.text, tok.t === 'string');
    const re = op === '~' ? new RegExp(escapeRegExp(value.str), 'i') : undefined;
    const after = this.peek();
    if (after.t === 'op') return failure(`unexpected "${after.text}" after a comparison (use "and" to chain)`, after.at);
    return { k: 'cmp', path: path.text, op, value, re };
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

/** The string form of a field value (objects by their JSON text). */
function stringForm(x: unknown): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'object') return JSON.stringify(x);
  return String(x);
}

function order<T extends number | bigint | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Three-way comparison of one scalar (or object) field value with the value; NaN when incomparable. */
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

/** Whether `pred` holds for the value or, for arrays, for any element (nested arrays too). */
function any(x: unknown, pred: (y: unknown) => boolean): boolean {
  if (!Array.isArray(x)) return pred(x);
  for (const y of x) if (any(y, pred)) return true;
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
      const path = node.path;
      return (env) => {
        const v = env.get(path);
        return v !== undefined && v !== null;
      };
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

function compileComparison(node: Node & { k: 'cmp' }): Eval {
  const { path, op, value, re } = node;
  const severity = path === 'severity';
  const read = severity
    ? (env: Env) => {
        const x = env.get(path);
        return x === undefined || x === null ? 'DEFAULT' : x;
      }
    : (env: Env) => env.get(path);
  const cmp = (y: unknown): number => compare(y, value, severity);
  const matches = (y: unknown): boolean => y !== undefined && y !== null && (re as RegExp).test(stringForm(y));
  let pred: (y: unknown) => boolean;
  switch (op) {
    case '==': case '!=': pred = (y) => cmp(y) === 0; break;
    case '<': pred = (y) => cmp(y) < 0; break;
    case '<=': pred = (y) => cmp(y) <= 0; break;
    case '>': pred = (y) => cmp(y) > 0; break;
    case '>=': pred = (y) => cmp(y) >= 0; break;
    case '~': case '=~': pred = matches; break;
  }
  if (op === '!=') {
    return (env) => {
      const x = read(env);
      return x !== undefined && x !== null && !any(x, pred);
    };
  }
  return (env) => any(read(env), pred);
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
      if (!seen.has(node.path)) { seen.add(node.path); paths.push(node.path); }
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
  if (typeof text !== 'string') return { ok: false, error: { message: 'expected the query as a string at 0', offset: 0 } };
  if (text.length > MAX_QUERY_LENGTH) {
    const f = failure(`query longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
    return { ok: false, error: { message: f.message, offset: f.offset } };
  }
  const tokens = lex(text);
  const node = isFailure(tokens) ? tokens : new Parser(tokens).parseAll();
  if (isFailure(node)) return { ok: false, error: { message: node.message, offset: node.offset } };
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

/** Resolves a dotted path against a parsed record with the greedy key rule above; undefined when absent. */
export function resolvePath(record: unknown, path: string): unknown {
  if (path === '') return undefined;
  return walk(record, path, 0);
}

/**
 * Resolves path[start..] against `cur`. At an object the longest own key equal to a prefix of the
 * rest that ends at a dot or at the end wins (no backtracking), so `logging.googleapis.com/trace`
 * is one key. At an array a numeric segment indexes it; any other segment maps over the elements
 * and collects the defined results (undefined when there are none).
 */
function walk(cur: unknown, path: string, start: number): unknown {
  for (;;) {
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
        const y = walk(el, path, start);
        if (y !== undefined) out.push(y);
      }
      return out.length > 0 ? out : undefined;
    }
    if (cur === null || typeof cur !== 'object') return undefined;
    let end = path.length;
    let next: number | undefined;
    while (end > start) {
      const key = path.slice(start, end);
      if (Object.prototype.hasOwnProperty.call(cur, key)) {
        cur = (cur as Record<string, unknown>)[key];
        next = end;
        break;
      }
      end = path.lastIndexOf('.', end - 1);
    }
    if (next === undefined) return undefined;
    if (next === path.length) return cur;
    start = next + 1;
  }
}

/** A get() for a parsed record (caches nothing; use resolvePath). */
export function recordGetter(record: unknown): (path: string) => unknown {
  return (path) => resolvePath(record, path);
}
