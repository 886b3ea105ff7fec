// The browser app's filter language (runtimes/browser/app/query.ts): parse errors with offsets,
// precedence, every operator over every kind of field value, dotted keys, severity DEFAULT, free
// text, the limits, laziness of get(), and agreement with plain JavaScript predicates over real
// records (examples/http-keepalive.ndjson and the CLI's output for an h2c capture).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  MAX_QUERY_DEPTH,
  MAX_QUERY_LENGTH,
  parseQuery,
  recordGetter,
  resolvePath,
  type Query,
} from '../../../../runtimes/browser/app/query.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const H2C = new URL('../../../../../shared/corpus/http/h2c-mtu1500.pcap', import.meta.url).pathname;

function compile(text: string): Query {
  const r = parseQuery(text);
  if (!r.ok) throw new Error(`${JSON.stringify(text)}: ${r.error.message}`);
  return r.query;
}

function errorOf(text: string): { message: string; offset: number } {
  const r = parseQuery(text);
  if (r.ok) throw new Error(`${JSON.stringify(text)} parsed as ${r.query.source}`);
  return r.error;
}

/** Whether `text` matches `record`, resolving paths on the parsed object. */
function matches(text: string, record: unknown): boolean {
  const json = JSON.stringify(record);
  return compile(text).test(recordGetter(record), () => json);
}

const REC = {
  L3: { src: '10.0.0.1', dst: 'fe80::1', flags: ['DF'], proto: { name: 'TCP', num: 6 }, len: 60 },
  L4: {
    src: 44440, dst: 28091, len: '0', flow: '11544447895499844494',
    flags: { str: 'SYN|ACK', map: { SYN: true, FIN: false } },
    opts: [{ MSS: ['1460', '0x05b4'] }, 'SACKPermitted', 'NOP'],
  },
  HTTP: { code: 200, method: 'GET', url: '/item?size=16&i=0', headers: { 'Content-Type': ['text/plain'] } },
  local: false,
  nothing: null,
  empty: [],
  message: '#0 | TCP | 127.0.0.1:44440 > 127.0.0.1:28091 | [SYN|ACK]',
  'logging.googleapis.com/trace': 'projects/p/traces/8b54c1f86d5a93aa9002cda368cb90ae',
  'logging.googleapis.com/labels': { 'run.googleapis.com/pcap/iface': 'any', 'run.googleapis.com/tool': 'pcap-sidecar' },
  pcap: { num: '12' },
  meta: { len: 74, cap_len: 74 },
};

describe('parse errors', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['L3.src ==', 9, /expected a value after "=="/],
    ['== 3', 0, /expected a path before "=="/],
    ['(L3.src == 1', 12, /expected "\)" to close the "\(" at 0/],
    ['L3.src == 1)', 11, /unexpected "\)"/],
    ['()', 1, /expected a term after "\("/],
    ['L3 and', 6, /expected a term after "and", found the end of the query/],
    ['or L3', 0, /expected a term, found "or"/],
    ['L3 or or L4', 6, /expected a term after "or"/],
    ['not', 3, /expected a term after "not"/],
    ['HTTP.url == "abc', 12, /unterminated string/],
    ['L3.src =~ abc', 10, /expected a quoted regular expression after "=~"/],
    ['L3.src =~ "(a"', 10, /invalid regular expression/],
    ['L3.src # x', 7, /unexpected character "#"/],
    ['L3 & L4', 3, /unexpected "&" \(use "&&" or "and"\)/],
    ['L3 | L4', 3, /unexpected "\|" \(use "\|\|" or "or"\)/],
    ['10.0.0.1 == L3.src', 0, /a path cannot start with a digit/],
    ['L3..src == 1', 0, /invalid path "L3\.\.src"/],
    ['"L3.src" == 1', 0, /found a quoted string \(paths are not quoted\)/],
    ['a == 1 == 2', 7, /unexpected "==" after a comparison/],
    ['a == and', 5, /quote "and" to compare with the word/],
    ['a == (b)', 5, /expected a value after "==", found "\("/],
    ['a == "\\u12"', 6, /expected 4 hex digits after "\\u"/],
    ['  L3 ==   ', 10, /expected a value after "==", found the end of the query/],
  ];
  for (const [text, offset, message] of cases) {
    it(`${JSON.stringify(text)} → offset ${offset}`, () => {
      const e = errorOf(text);
      expect(e.message).toMatch(message);
      expect(e.offset).toBe(offset);
      expect(e.message.endsWith(` at ${offset}`)).toBe(true);
    });
  }

  it('never throws, whatever the input', () => {
    const alphabet = ['(', ')', '"', "'", '\\', '=', '!', '<', '>', '~', '&', '|', 'a', '.', '1', ' ', 'or', 'not', 'é', '#'];
    let seed = 7;
    for (let n = 0; n < 3000; n++) {
      let s = '';
      const len = n % 17;
      for (let i = 0; i < len; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        s += alphabet[seed % alphabet.length];
      }
      const r = parseQuery(s);
      if (r.ok) {
        expect(() => r.query.test(recordGetter(REC), () => JSON.stringify(REC))).not.toThrow();
        // The normalised source parses back to itself.
        const again = parseQuery(r.query.source);
        expect(again.ok && again.query.source).toBe(r.query.source);
      } else {
        expect(r.error.offset).toBeGreaterThanOrEqual(0);
        expect(r.error.offset).toBeLessThanOrEqual(s.length);
      }
    }
  });
});

describe('limits', () => {
  it(`accepts ${MAX_QUERY_LENGTH} characters and refuses one more`, () => {
    const ok = 'L3' + ' '.repeat(MAX_QUERY_LENGTH - 2);
    expect(parseQuery(ok).ok).toBe(true);
    const e = errorOf(ok + ' ');
    expect(e.message).toMatch(/query longer than 4096 characters/);
    expect(e.offset).toBe(MAX_QUERY_LENGTH);
  });
  it(`accepts nesting ${MAX_QUERY_DEPTH} deep and refuses ${MAX_QUERY_DEPTH + 1}`, () => {
    const nest = (n: number) => '('.repeat(n) + 'L3' + ')'.repeat(n);
    expect(parseQuery(nest(MAX_QUERY_DEPTH)).ok).toBe(true);
    const e = errorOf(nest(MAX_QUERY_DEPTH + 1));
    expect(e.message).toMatch(/nesting deeper than 64/);
    expect(e.offset).toBe(MAX_QUERY_DEPTH);
    expect(parseQuery('not '.repeat(MAX_QUERY_DEPTH) + 'L3').ok).toBe(true);
    expect(errorOf('!'.repeat(MAX_QUERY_DEPTH + 1) + 'L3').message).toMatch(/nesting deeper than 64/);
    // Mixed: 32 parentheses and 33 nots.
    expect(errorOf('(not '.repeat(32) + 'not L3' + ')'.repeat(32)).message).toMatch(/nesting deeper/);
  });
  it('a long flat chain is not nesting', () => {
    const flat = Array.from({ length: 500 }, (_, i) => `L4.src == ${i}`).join(' or ');
    const q = compile(flat.slice(0, flat.lastIndexOf(' or ', MAX_QUERY_LENGTH)));
    expect(q.paths).toEqual(['L4.src']);
  });
  it('empty and whitespace-only text match everything', () => {
    for (const t of ['', '   ', '\n\t ']) {
      const q = compile(t);
      expect(q.test(() => undefined, () => '')).toBe(true);
      expect(q.paths).toEqual([]);
      expect(q.usesText).toBe(false);
      expect(q.source).toBe('');
    }
  });
});

describe('boolean structure', () => {
  // A get() over fixed truth values: each single letter path is "exists" when true.
  const truth = (bits: Record<string, boolean>) => (path: string) => (bits[path.replace('x.', '')] ? 1 : undefined);
  const run = (text: string, bits: Record<string, boolean>) => compile(text).test(truth(bits), () => '');

  it('not > and > or', () => {
    // x.a or x.b and x.c  ==  x.a or (x.b and x.c)
    expect(run('x.a or x.b and x.c', { a: true, b: false, c: false })).toBe(true);
    expect(run('x.a or x.b and x.c', { a: false, b: true, c: false })).toBe(false);
    expect(compile('x.a or x.b and x.c').source).toBe('x.a or x.b and x.c');
    expect(compile('(x.a or x.b) and x.c').source).toBe('(x.a or x.b) and x.c');
    expect(run('(x.a or x.b) and x.c', { a: true, b: false, c: false })).toBe(false);
    // not binds tighter than and
    expect(run('not x.a and x.b', { a: false, b: true })).toBe(true);
    expect(run('not x.a and x.b', { a: true, b: true })).toBe(false);
    expect(run('not (x.a and x.b)', { a: true, b: false })).toBe(true);
    expect(compile('not (x.a and x.b)').source).toBe('not (x.a and x.b)');
    expect(run('!x.a || x.b && x.c', { a: true, b: true, c: true })).toBe(true);
    expect(compile('!x.a || x.b && x.c').source).toBe('not x.a or x.b and x.c');
    expect(run('not not x.a', { a: true })).toBe(true);
  });
  it('juxtaposition means and, and binds like and', () => {
    expect(run('x.a x.b', { a: true, b: false })).toBe(false);
    expect(run('x.a x.b', { a: true, b: true })).toBe(true);
    expect(run('x.a x.b or x.c', { a: false, b: false, c: true })).toBe(true);
    expect(compile('x.a x.b or x.c').source).toBe('x.a and x.b or x.c');
    expect(compile('x.a (x.b or x.c) not x.d').source).toBe('x.a and (x.b or x.c) and not x.d');
    expect(compile('L3.src==1 L4.dst!=2').source).toBe('L3.src == 1 and L4.dst != 2');
  });
  it('keywords are case-insensitive', () => {
    expect(compile('x.a AND x.b Or NOT x.c').source).toBe('x.a and x.b or not x.c');
    expect(run('x.a AND x.b', { a: true, b: false })).toBe(false);
  });
  it('get() is called lazily, only with listed paths, short-circuiting and/or', () => {
    const q = compile('HTTP and HTTP.code == 200 or L4.src == 1 or HTTP.code == 404');
    expect(q.paths).toEqual(['HTTP', 'HTTP.code', 'L4.src']);
    const calls: string[] = [];
    const get = (p: string) => { calls.push(p); return resolvePath(REC, p); };
    expect(q.test(get, () => { throw new Error('text() is not needed'); })).toBe(true);
    expect(calls).toEqual(['HTTP', 'HTTP.code']);
    calls.length = 0;
    expect(q.test((p) => { calls.push(p); return undefined; }, () => '')).toBe(false);
    expect(calls).toEqual(['HTTP', 'L4.src', 'HTTP.code']);
    for (const c of calls) expect(q.paths).toContain(c);
    expect(q.usesText).toBe(false);
  });
  it('text() is called at most once per test(), and only when a free-text term is reached', () => {
    const q = compile('L3 "abc" "ABD" or "xyz"');
    expect(q.usesText).toBe(true);
    expect(q.paths).toEqual(['L3']);
    let n = 0;
    const text = () => { n++; return '{"a":"abcd"}'; };
    expect(q.test(() => undefined, text)).toBe(false);
    expect(n).toBe(1);
    n = 0;
    expect(q.test(() => 1, text)).toBe(false);
    expect(n).toBe(1);
  });
  it('paths are deduplicated in order of appearance', () => {
    expect(compile('L4.dst == 1 or L3.src ~ a L4.dst > 3 meta.len').paths).toEqual(['L4.dst', 'L3.src', 'meta.len']);
  });
});

describe('operators', () => {
  it('numbers', () => {
    expect(matches('HTTP.code == 200', REC)).toBe(true);
    expect(matches('HTTP.code = 200', REC)).toBe(true);
    expect(matches('HTTP.code == 200.0', REC)).toBe(true);
    expect(matches('HTTP.code == "200"', REC)).toBe(true);
    expect(matches('HTTP.code != 200', REC)).toBe(false);
    expect(matches('HTTP.code != 404', REC)).toBe(true);
    expect(matches('HTTP.code < 300', REC)).toBe(true);
    expect(matches('HTTP.code < 200', REC)).toBe(false);
    expect(matches('HTTP.code <= 200', REC)).toBe(true);
    expect(matches('HTTP.code > 199.5', REC)).toBe(true);
    expect(matches('HTTP.code > 200', REC)).toBe(false);
    expect(matches('HTTP.code >= 200', REC)).toBe(true);
    expect(matches('HTTP.code > -1', REC)).toBe(true);
    // 9 < 10 numerically (but "9" > "10" as strings)
    expect(matches('meta.len > 9', REC)).toBe(true);
    expect(matches('HTTP.code ~ 20', REC)).toBe(true);
    expect(matches('HTTP.code =~ "^2\\d\\d$"', REC)).toBe(true);
    expect(matches('HTTP.code == abc', REC)).toBe(false);
  });
  it('numeric strings compare as numbers', () => {
    expect(matches('L4.len == 0', REC)).toBe(true);
    expect(matches('L4.len == 0.0', REC)).toBe(true);
    expect(matches('L4.len < 1', REC)).toBe(true);
    expect(matches('pcap.num > 9', REC)).toBe(true); // "12" > 9, not "12" < "9"
    expect(matches('pcap.num >= 12', REC)).toBe(true);
    expect(matches('pcap.num <= 11', REC)).toBe(false);
    expect(matches('pcap.num != 12', REC)).toBe(false);
    expect(matches('pcap.num ~ 1', REC)).toBe(true);
  });
  it('64-bit integers in strings compare exactly', () => {
    expect(matches('L4.flow == 11544447895499844494', REC)).toBe(true);
    expect(matches('L4.flow == 11544447895499844495', REC)).toBe(false); // the same double
    expect(matches('L4.flow < 11544447895499844495', REC)).toBe(true);
    expect(matches('L4.flow > 11544447895499844493', REC)).toBe(true);
    expect(matches('L4.flow > 99', REC)).toBe(true);
  });
  it('strings', () => {
    expect(matches('L3.src == 10.0.0.1', REC)).toBe(true); // a bare word, not a number
    expect(matches('L3.src == "10.0.0.1"', REC)).toBe(true);
    expect(matches("L3.src == '10.0.0.1'", REC)).toBe(true);
    expect(matches('L3.dst == fe80::1', REC)).toBe(true);
    expect(matches('L3.proto.name == TCP', REC)).toBe(true);
    expect(matches('L3.proto.name == tcp', REC)).toBe(false); // exact, case-sensitive
    expect(matches('L3.proto.name != tcp', REC)).toBe(true);
    expect(matches('L3.proto.name ~ tcp', REC)).toBe(true); // contains, case-insensitive
    expect(matches('L4.flags.str ~ "syn|a"', REC)).toBe(true);
    expect(matches('L4.flags.str ~ "syn.a"', REC)).toBe(false); // ~ is not a regex
    expect(matches('L4.flags.str =~ "SYN\\|ACK"', REC)).toBe(true);
    expect(matches('L4.flags.str =~ "^ACK"', REC)).toBe(false);
    expect(matches('L3.src < 10.0.0.2', REC)).toBe(true); // lexicographic
    expect(matches('L3.src > 9', REC)).toBe(false); // "10.0.0.1" is not a number: "1" < "9"
    expect(matches('L3.src >= 10.0.0.1', REC)).toBe(true);
    expect(matches('L3.src <= 10', REC)).toBe(false);
    expect(matches('HTTP.url == "/item?size=16&i=0"', REC)).toBe(true);
    expect(matches('message ~ "> 127.0.0.1"', REC)).toBe(true);
    expect(matches('HTTP.method == GET', REC)).toBe(true);
    expect(matches('HTTP.method == "G\\u0045T"', REC)).toBe(true);
  });
  it('arrays: any element, and != as the negation of ==', () => {
    expect(matches('L3.flags == DF', REC)).toBe(true);
    expect(matches('L3.flags == MF', REC)).toBe(false);
    expect(matches('L3.flags != DF', REC)).toBe(false);
    expect(matches('L3.flags != MF', REC)).toBe(true);
    expect(matches('L3.flags ~ d', REC)).toBe(true);
    expect(matches('L3.flags =~ "^D"', REC)).toBe(true);
    expect(matches('L4.opts == NOP', REC)).toBe(true);
    expect(matches('L4.opts.MSS == 1460', REC)).toBe(true); // mapped over elements, nested arrays
    expect(matches('L4.opts.MSS > 1000', REC)).toBe(true);
    expect(matches('L4.opts.MSS == 0x05b4', REC)).toBe(true);
    expect(matches('L4.opts.0.MSS.1 == 0x05b4', REC)).toBe(true); // numeric segments index
    expect(matches('L4.opts.1 == SACKPermitted', REC)).toBe(true);
    expect(matches('HTTP.headers.Content-Type == text/plain', REC)).toBe(true);
    expect(matches('empty == x', REC)).toBe(false);
    expect(matches('empty != x', REC)).toBe(true);
  });
  it('booleans', () => {
    expect(matches('local == false', REC)).toBe(true);
    expect(matches('local == FALSE', REC)).toBe(true);
    expect(matches('local != true', REC)).toBe(true);
    expect(matches('local == true', REC)).toBe(false);
    expect(matches('L4.flags.map.SYN == true', REC)).toBe(true);
    expect(matches('L4.flags.map.FIN == true', REC)).toBe(false);
    expect(matches('L4.flags.map.SYN > false', REC)).toBe(true);
    expect(matches('local ~ fal', REC)).toBe(true);
    expect(matches('local == 0', REC)).toBe(false); // not a number
  });
  it('objects compare by their JSON text', () => {
    expect(matches('L3.proto ~ \'"num":6\'', REC)).toBe(true);
    expect(matches('L3.proto == x', REC)).toBe(false);
    expect(matches('L3.proto != x', REC)).toBe(true);
  });
  it('a missing or null field makes every comparison false', () => {
    for (const op of ['==', '=', '!=', '<', '<=', '>', '>=', '~']) {
      expect(matches(`HTTP.nope ${op} 1`, REC)).toBe(false);
      expect(matches(`nothing ${op} 1`, REC)).toBe(false);
      expect(matches(`DNS.id ${op} x`, REC)).toBe(false);
    }
    expect(matches('HTTP.nope =~ "."', REC)).toBe(false);
    expect(matches('not DNS.id == 1', REC)).toBe(true);
    expect(matches('not HTTP.code == 200', REC)).toBe(false);
    expect(matches('not HTTP.code == 200', { L3: {} })).toBe(true);
  });
  it('exists: present and not null', () => {
    expect(matches('HTTP', REC)).toBe(true);
    expect(matches('DNS', REC)).toBe(false);
    expect(matches('HTTP.code', REC)).toBe(true);
    expect(matches('HTTP.nope', REC)).toBe(false);
    expect(matches('nothing.x', REC)).toBe(false);
    expect(matches('local', REC)).toBe(true); // false is present
    expect(matches('L4.len', REC)).toBe(true); // "0" is present
    expect(matches('not DNS', REC)).toBe(true);
    expect(compile('HTTP.code').paths).toEqual(['HTTP.code']);
  });
});

describe('paths', () => {
  it('keys with dots and slashes resolve greedily', () => {
    expect(resolvePath(REC, 'logging.googleapis.com/trace')).toBe(REC['logging.googleapis.com/trace']);
    expect(resolvePath(REC, 'logging.googleapis.com/labels.run.googleapis.com/pcap/iface')).toBe('any');
    expect(resolvePath(REC, 'logging.googleapis.com/labels.run.googleapis.com/nope')).toBeUndefined();
    expect(matches('logging.googleapis.com/trace ~ 8B54C1', REC)).toBe(true);
    expect(matches('logging.googleapis.com/trace =~ "^projects/[^/]+/traces/[0-9a-f]{32}$"', REC)).toBe(true);
    expect(matches('logging.googleapis.com/labels.run.googleapis.com/pcap/iface == any', REC)).toBe(true);
    expect(matches('logging.googleapis.com/labels.run.googleapis.com/tool = pcap-sidecar', REC)).toBe(true);
    expect(matches('logging.googleapis.com/trace', REC)).toBe(true);
    expect(matches('logging.googleapis.com/spanId', REC)).toBe(false);
  });
  it('the longest key wins at each level', () => {
    const r = { a: { b: 1, 'b.c': { d: 2 } }, 'a.b': { c: 3 } };
    expect(resolvePath(r, 'a.b.c')).toBe(3); // "a.b" beats "a"
    expect(resolvePath(r, 'a.b')).toEqual({ c: 3 });
    const s = { a: { b: 1, 'b.c': { d: 2 } } };
    expect(resolvePath(s, 'a.b.c.d')).toBe(2);
    expect(resolvePath(s, 'a.b')).toBe(1);
    expect(resolvePath(s, 'a.bc')).toBeUndefined();
  });
  it('inherited properties and non-objects are absent', () => {
    expect(resolvePath(REC, 'constructor')).toBeUndefined();
    expect(resolvePath(REC, 'L3.__proto__')).toBeUndefined();
    expect(resolvePath(REC, 'L3.src.length')).toBeUndefined();
    expect(resolvePath(null, 'a')).toBeUndefined();
    expect(resolvePath(REC, '')).toBeUndefined();
    expect(resolvePath(REC, 'L3.flags.5')).toBeUndefined();
    expect(resolvePath(REC, 'empty.x')).toBeUndefined();
    expect(matches('constructor', REC)).toBe(false);
  });
});

describe('severity', () => {
  const none = { L3: {} };
  const error = { severity: 'ERROR' };
  it('a record without severity is DEFAULT', () => {
    expect(matches('severity == DEFAULT', none)).toBe(true);
    expect(matches('severity = DEFAULT', none)).toBe(true);
    expect(matches('severity != ERROR', none)).toBe(true);
    expect(matches('severity != DEFAULT', none)).toBe(false);
    expect(matches('severity == ERROR', none)).toBe(false);
    expect(matches('severity < WARNING', none)).toBe(true);
    expect(matches('severity', none)).toBe(false); // the bare name still asks whether the key is set
  });
  it('severity names compare by rank, case-insensitively', () => {
    expect(matches('severity == ERROR', error)).toBe(true);
    expect(matches('severity == error', error)).toBe(true);
    expect(matches('severity != ERROR', error)).toBe(false);
    expect(matches('severity >= WARNING', error)).toBe(true); // by rank, not "ERROR" < "WARNING"
    expect(matches('severity > CRITICAL', error)).toBe(false);
    expect(matches('severity >= WARNING', { severity: 'DEBUG' })).toBe(false);
    expect(matches('severity ~ err', error)).toBe(true);
    expect(matches('severity', error)).toBe(true);
  });
});

describe('free text', () => {
  it('a quoted string alone is a case-insensitive substring of the JSON text', () => {
    expect(matches('"keep-alive"', { h: 'Connection: Keep-Alive' })).toBe(true);
    expect(matches('"no such thing"', REC)).toBe(false);
    expect(matches("'size=16&i=0'", REC)).toBe(true);
    expect(compile('"x"').usesText).toBe(true);
    expect(compile('"x"').paths).toEqual([]);
  });
  it('matches the JSON-escaped form too (tracecap writes > as \\u003e)', () => {
    const q = compile('"a > b & \\"c\\""');
    expect(q.test(() => undefined, () => '{"m":"A \\u003e B \\u0026 \\"C\\""}')).toBe(true);
    expect(q.test(() => undefined, () => '{"m":"A > B & \\"c\\""}')).toBe(true);
    expect(q.test(() => undefined, () => '{"m":"A > B"}')).toBe(false);
    expect(compile('"<b>"').test(() => undefined, () => '{"m":"\\u003cB\\u003e"}')).toBe(true);
    expect(compile('"<b>"').test(() => undefined, () => 'raw text <b>')).toBe(true);
  });
  it('a bare word alone is exists when it is a dotted path or a top-level name, else free text', () => {
    for (const w of ['HTTP', 'L3', 'message', 'severity', 'pcap', 'flow', 'local', 'L3.src', 'logging.googleapis.com/trace', 'a.b']) {
      const q = compile(w);
      expect(q.usesText, w).toBe(false);
      expect(q.paths, w).toEqual([w]);
    }
    for (const w of ['GET', 'http', '404', '10.0.0.1', 'fe80::1', 'abc-123', 'SYN', 'true', '-5', 'L3.', '.x']) {
      const q = compile(w);
      expect(q.usesText, w).toBe(true);
      expect(q.paths, w).toEqual([]);
    }
    expect(matches('GET', REC)).toBe(true);
    expect(matches('get', REC)).toBe(true);
    expect(matches('POST', REC)).toBe(false);
    expect(matches('HTTP GET 28091', REC)).toBe(true);
    expect(matches('HTTP POST', REC)).toBe(false);
  });
  it('mixes with comparisons', () => {
    expect(matches('"syn|ack" L4.dst == 28091', REC)).toBe(true);
    expect(matches('not "syn" or HTTP.code == 500', REC)).toBe(false);
  });
});

describe('normalised source', () => {
  it('canonical operators, keywords and quoting', () => {
    expect(compile('  L3.src=10.0.0.1   &&HTTP.code>=200 ').source).toBe('L3.src == 10.0.0.1 and HTTP.code >= 200');
    expect(compile("HTTP.url == '/a b' || 'x\"y'").source).toBe('HTTP.url == "/a b" or "x\\"y"');
    expect(compile('a =~ "\\d+"').source).toBe('a =~ "\\\\d+"');
    expect(compile('a == "and"').source).toBe('a == "and"');
    expect(compile('a ~ abc-123 ((b))').source).toBe('a ~ abc-123 and b');
    expect(compile('not (a or b) and (c or d) or e').source).toBe('not (a or b) and (c or d) or e');
  });
  it('parses back to the same query', () => {
    for (const t of ['a =~ "\\d+\\."', 'x.y == "tab\\there"', '"q\\u0041"', 'not (a b) or (c or d) e', 'severity >= warning']) {
      const s = compile(t).source;
      expect(compile(s).source).toBe(s);
      expect(compile(s).test(recordGetter(REC), () => JSON.stringify(REC))).toBe(compile(t).test(recordGetter(REC), () => JSON.stringify(REC)));
    }
  });
  it('regular expressions keep unknown escapes', () => {
    expect(matches('L3.src =~ "^\\d+\\.0\\.0\\.1$"', REC)).toBe(true);
    expect(matches("L3.src =~ '^10\\\\.'", REC)).toBe(true);
  });
});

// ───────────────────────────── real records ─────────────────────────────

interface Capture {
  name: string;
  lines: string[];
  records: Array<Record<string, any>>;
}

function load(name: string, ndjson: string): Capture {
  const lines = ndjson.split('\n').filter((l) => l.length > 0);
  return { name, lines, records: lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

const captures: Capture[] = [load('http-keepalive', readFileSync(ROOT + 'examples/http-keepalive.ndjson', 'utf8'))];
const BIN = ROOT + 'bin/tracecap.js';
const built = existsSync(ROOT + 'build/tracecap.wasm') && existsSync(H2C);
if (built) {
  for (const file of [ROOT + 'examples/http-keepalive.pcap', H2C]) {
    const r = spawnSync(process.execPath, [BIN, file], { cwd: ROOT, maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`tracecap ${file}: ${r.stderr.toString()}`);
    captures.push(load(file.split('/').pop() as string, r.stdout.toString('utf8')));
  }
}

const num = (x: unknown) => Number(x);
const stream1 = (r: Record<string, any>): any[] => r.HTTP?.streams?.['1']?.frames ?? [];
const PREDICATES: Array<[string, (r: Record<string, any>, line: string) => boolean]> = [
  ['HTTP', (r) => r.HTTP != null],
  ['HTTP.code >= 200 and L4.src == 28091', (r) => num(r.HTTP?.code) >= 200 && num(r.L4?.src) === 28091],
  ['HTTP.method == GET or HTTP.method == POST', (r) => r.HTTP?.method === 'GET' || r.HTTP?.method === 'POST'],
  ['not HTTP.code == 200', (r) => !(r.HTTP?.code != null && num(r.HTTP.code) === 200)],
  ['L4.flags.str == SYN or L4.flags.str == "SYN|ACK"', (r) => r.L4?.flags?.str === 'SYN' || r.L4?.flags?.str === 'SYN|ACK'],
  ['L4.flags.str ~ fin', (r) => typeof r.L4?.flags?.str === 'string' && r.L4.flags.str.toLowerCase().includes('fin')],
  ['L4.len > 0', (r) => num(r.L4?.len) > 0],
  ['L4.len > 0 L4.src == 28092', (r) => num(r.L4?.len) > 0 && num(r.L4?.src) === 28092],
  ['L3.flags == DF and L3.proto.name == TCP', (r) => Array.isArray(r.L3?.flags) && r.L3.flags.includes('DF') && r.L3?.proto?.name === 'TCP'],
  ['meta.len > 100 and meta.cap_len <= 1514', (r) => num(r.meta?.len) > 100 && num(r.meta?.cap_len) <= 1514],
  ['pcap.num < 10 || pcap.num >= 50', (r) => num(r.pcap?.num) < 10 || num(r.pcap?.num) >= 50],
  ['logging.googleapis.com/trace', (r) => r['logging.googleapis.com/trace'] != null],
  ['logging.googleapis.com/trace =~ "^projects/[^/]*/traces/[0-9a-f]{32}$"', (r) => /^projects\/[^/]*\/traces\/[0-9a-f]{32}$/.test(String(r['logging.googleapis.com/trace'] ?? '\n'))],
  ['logging.googleapis.com/labels.run.googleapis.com/pcap/iface == any', (r) => r['logging.googleapis.com/labels']?.['run.googleapis.com/pcap/iface'] === 'any'],
  ['"keep-alive"', (_r, line) => line.toLowerCase().includes('keep-alive')],
  ['HTTP.headers.Content-Type ~ text/', (r) => (r.HTTP?.headers?.['Content-Type'] ?? []).some((v: string) => v.toLowerCase().includes('text/'))],
  ['HTTP.streams.1.frames.kind == response', (r) => (r.HTTP?.streams?.['1']?.frames ?? []).some((f: any) => f?.kind === 'response')],
  ['HTTP.proto == h2c or HTTP.status == "200 OK"', (r) => r.HTTP?.proto === 'h2c' || r.HTTP?.status === '200 OK'],
  ['HTTP.streams.1.frames.logging.googleapis.com/trace ~ /TRACES/', (r) => stream1(r).some((f) => String(f['logging.googleapis.com/trace'] ?? '').toLowerCase().includes('/traces/'))],
  ['HTTP.streams.1.frames.logging.googleapis.com/trace_sampled == true', (r) => stream1(r).some((f) => f['logging.googleapis.com/trace_sampled'] === true)],
  ['HTTP.streams.1.frames.headers.:status == 200', (r) => stream1(r).some((f) => (f.headers?.[':status'] ?? []).some((v: string) => num(v) === 200))],
  ['L4.opts.MSS == 1460', (r) => (r.L4?.opts ?? []).some((o: any) => Array.isArray(o?.MSS) && o.MSS.includes('1460'))],
  ['severity == DEFAULT and severity != ERROR', (r) => r.severity == null || r.severity === 'DEFAULT'],
  ['message ~ "PSH|ACK" not HTTP', (r) => String(r.message).toLowerCase().includes('psh|ack') && r.HTTP == null],
];

describe('real records', () => {
  it(`the h2c capture was translated (or the build is missing: ${built ? 'built' : 'NOT BUILT, run npm run build'})`, () => {
    expect(built).toBe(true);
  });
  for (const c of captures) {
    describe(c.name, () => {
      for (const [text, pred] of PREDICATES) {
        it(text, () => {
          const q = compile(text);
          let got = 0;
          let want = 0;
          c.records.forEach((r, i) => {
            const line = c.lines[i] as string;
            const seen: string[] = [];
            const get = (p: string) => { seen.push(p); return resolvePath(r, p); };
            const m = q.test(get, () => line);
            const w = pred(r, line);
            if (m !== w) throw new Error(`record ${i} (pcap.num ${r.pcap?.num}): query says ${m}, predicate says ${w}`);
            for (const p of seen) expect(q.paths).toContain(p);
            if (m) got++;
            if (w) want++;
          });
          expect(got).toBe(want);
        });
      }
      it('most expressions match something, and none matches everything it should not', () => {
        const counts = PREDICATES.map(([text]) => {
          const q = compile(text);
          return c.records.filter((r, i) => q.test(recordGetter(r), () => c.lines[i] as string)).length;
        });
        const nonzero = counts.filter((n) => n > 0).length;
        expect(nonzero).toBeGreaterThanOrEqual(Math.ceil(PREDICATES.length * 0.7));
      });
    });
  }
});
