// The browser app's filter language (runtimes/browser/app/query.ts): parse errors with offsets
// and lengths, unknown fields, precedence, every operator over every kind of field value,
// addresses and networks, ~ on objects, normalized HTTP fields, dotted keys, severity DEFAULT,
// free text, the limits, laziness of get(), completion and the help, and agreement with plain
// JavaScript predicates over real records (examples/http-keepalive.ndjson and the CLI's output
// for an h2c capture; query-corpus.test.ts does the rest of the corpus).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  MAX_QUERY_DEPTH,
  MAX_QUERY_LENGTH,
  QUERY_HELP,
  complete,
  parseQuery,
  recordGetter,
  resolveField,
  resolvePath,
  type Query,
  type QueryError,
} from '../../../../runtimes/browser/app/query.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const H2C = new URL('../../../../../shared/corpus/http/h2c-mtu1500.pcap', import.meta.url).pathname;

function compile(text: string): Query {
  const r = parseQuery(text);
  if (!r.ok) throw new Error(`${JSON.stringify(text)}: ${r.error.message}`);
  return r.query;
}

function errorOf(text: string): QueryError {
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
    ['(L4.src == 1', 12, /expected "\)" to close the "\(" at 0/],
    ['L4.src == 1)', 11, /unexpected "\)"/],
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
    ['L4.src == 1 == 2', 12, /unexpected "==" after a comparison/],
    ['L4.src == and', 10, /quote "and" to compare with the word/],
    ['L4.src == (b)', 10, /expected a value after "==", found "\("/],
    ['L4.src == "\\u12"', 11, /expected 4 hex digits after "\\u"/],
    ['tcp.port == 80', 0, /^unknown field "tcp\.port" \(did you mean L4\.dst or L4\.src\?\)/],
    ['HTTP and http.code >= 400', 9, /^unknown field "http\.code" \(did you mean HTTP\.code\?\)/],
    ['trace ~ 6b322b9a', 0, /^unknown field "trace" \(did you mean logging\.googleapis\.com\/trace\?\)/],
    ['not L4.nope', 4, /^unknown field "L4\.nope" \(quote it to search for the text\) at 4$/],
    ['dns.google', 0, /^unknown field "dns\.google" \(quote it to search for the text\) at 0$/],
    ['http.code', 0, /^unknown field "http\.code" \(did you mean HTTP\.code\? quote it to search for the text\) at 0$/],
    ['L4.nope == 1', 0, /^unknown field "L4\.nope" at 0$/],
    ['L3.src == 10.0.0.0/33', 10, /the prefix length of an IPv4 network is 0 to 32/],
    ['L3.dst != fd00::/129', 10, /the prefix length of an IPv6 network is 0 to 128/],
    ['L3.src == 10.0.0/8', 10, /"10\.0\.0\/8" is no network/],
    ['L3.src == example', 10, /L3\.src holds addresses: expected an address or a network after "==", but "example" is no address/],
    ['DNS.answers.A >= 10.0.0.0/8', 17, /a network compares with == or != only, not ">="/],
    ['  L3 ==   ', 10, /expected a value after "==", found the end of the query/],
  ];
  for (const [text, offset, message] of cases) {
    it(`${JSON.stringify(text)} → offset ${offset}`, () => {
      const e = errorOf(text);
      expect(e.message).toMatch(message);
      expect(e.offset).toBe(offset);
      expect(e.message.endsWith(` at ${offset}`)).toBe(true);
      expect(e.offset + e.length).toBeLessThanOrEqual(text.length);
    });
  }

  it('the length spans what to underline', () => {
    const span = (t: string) => { const e = errorOf(t); return t.slice(e.offset, e.offset + e.length); };
    expect(span('HTTP and tcp.port == 80')).toBe('tcp.port');
    expect(span('L3.src == 10.0.0.0/33 or HTTP')).toBe('10.0.0.0/33');
    expect(span('L3.src == "10.0.0.0/33"')).toBe('"10.0.0.0/33"');
    expect(span('L4.src == 1 == 2')).toBe('==');
    expect(span('L3 # x')).toBe('#');
    expect(span('HTTP.url == "abc')).toBe('"abc');
    expect(span('L3 and')).toBe('');
    expect(span('L3.src =~ "(a"')).toBe('"(a"');
  });

  it('never throws, whatever the input', () => {
    const alphabet = ['(', ')', '"', "'", '\\', '=', '!', '<', '>', '~', '&', '|', 'a', '.', '1', ' ', 'or', 'not', 'é', '#', 'L3', 'src', '/', ':', '*'];
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
        expect(r.error.length).toBeGreaterThanOrEqual(0);
        expect(r.error.offset + r.error.length).toBeLessThanOrEqual(s.length);
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
  // A get() over fixed truth values: a top-level name is present when its bit is set.
  const truth = (bits: Record<string, boolean>) => (path: string) => (bits[path] ? 1 : undefined);
  const run = (text: string, bits: Record<string, boolean>) => compile(text).test(truth(bits), () => '');

  it('not > and > or', () => {
    // L2 or L3 and L4  ==  L2 or (L3 and L4)
    expect(run('L2 or L3 and L4', { L2: true, L3: false, L4: false })).toBe(true);
    expect(run('L2 or L3 and L4', { L2: false, L3: true, L4: false })).toBe(false);
    expect(compile('L2 or L3 and L4').source).toBe('L2 or L3 and L4');
    expect(compile('(L2 or L3) and L4').source).toBe('(L2 or L3) and L4');
    expect(run('(L2 or L3) and L4', { L2: true, L3: false, L4: false })).toBe(false);
    // not binds tighter than and
    expect(run('not L2 and L3', { L2: false, L3: true })).toBe(true);
    expect(run('not L2 and L3', { L2: true, L3: true })).toBe(false);
    expect(run('not (L2 and L3)', { L2: true, L3: false })).toBe(true);
    expect(compile('not (L2 and L3)').source).toBe('not (L2 and L3)');
    expect(run('!L2 || L3 && L4', { L2: true, L3: true, L4: true })).toBe(true);
    expect(compile('!L2 || L3 && L4').source).toBe('not L2 or L3 and L4');
    expect(run('not not L2', { L2: true })).toBe(true);
  });
  it('juxtaposition means and, and binds like and', () => {
    expect(run('L2 L3', { L2: true, L3: false })).toBe(false);
    expect(run('L2 L3', { L2: true, L3: true })).toBe(true);
    expect(run('L2 L3 or L4', { L2: false, L3: false, L4: true })).toBe(true);
    expect(compile('L2 L3 or L4').source).toBe('L2 and L3 or L4');
    expect(compile('L2 (L3 or L4) not DNS').source).toBe('L2 and (L3 or L4) and not DNS');
    expect(compile('L4.src==1 L4.dst!=2').source).toBe('L4.src == 1 and L4.dst != 2');
  });
  it('keywords are case-insensitive', () => {
    expect(compile('L2 AND L3 Or NOT L4').source).toBe('L2 and L3 or not L4');
    expect(run('L2 AND L3', { L2: true, L3: false })).toBe(false);
  });
  it('get() is called lazily, only with listed paths, short-circuiting and/or', () => {
    const q = compile('HTTP and HTTP.code == 200 or L4.src == 1 or HTTP.code == 404');
    // HTTP.code is normalized: it reads the HTTP/2 frames' :status too, after the HTTP/1 code.
    const status = 'HTTP.streams.*.frames.headers.:status';
    expect(q.paths).toEqual(['HTTP', 'HTTP.code', status, 'L4.src']);
    const calls: string[] = [];
    const get = (p: string) => { calls.push(p); return resolvePath(REC, p); };
    expect(q.test(get, () => { throw new Error('text() is not needed'); })).toBe(true);
    expect(calls).toEqual(['HTTP', 'HTTP.code']);
    calls.length = 0;
    expect(q.test((p) => { calls.push(p); return undefined; }, () => '')).toBe(false);
    expect(calls).toEqual(['HTTP', 'L4.src', 'HTTP.code', status]);
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
    expect(matches('HTTP.method < HEAD', REC)).toBe(true); // lexicographic
    expect(matches('HTTP.url > 9', REC)).toBe(false); // "/item…" is not a number: "/" < "9"
    expect(matches('HTTP.method >= GET', REC)).toBe(true);
    expect(matches('HTTP.method <= GE', REC)).toBe(false);
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
    const empty = { L3: { flags: [] } };
    expect(matches('L3.flags == DF', empty)).toBe(false);
    expect(matches('L3.flags != DF', empty)).toBe(true); // present, and no element equals
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
  it('objects hold a comparison when a leaf value does, never by a key (was: by their JSON text)', () => {
    expect(matches('L3.proto ~ \'"num":6\'', REC)).toBe(false); // no JSON text any more
    expect(matches('L3.proto == TCP', REC)).toBe(true);
    expect(matches('L3.proto == 6', REC)).toBe(true);
    expect(matches('L3.proto ~ tc', REC)).toBe(true);
    expect(matches('L3.proto ~ num', REC)).toBe(false); // a key
    expect(matches('L3.proto == x', REC)).toBe(false);
    expect(matches('L3.proto != x', REC)).toBe(true);
    expect(matches('L3.proto != TCP', REC)).toBe(false);
    expect(matches('L3.proto > 5', REC)).toBe(true);
    expect(matches('L3.proto =~ "^TC"', REC)).toBe(true);
    expect(matches('L4.flags.map ~ SYN', REC)).toBe(false); // keys and true/false are no values
    expect(matches('L4.flags.map == true', REC)).toBe(true); // == still sees booleans
    expect(matches('L4.opts ~ 05b4', REC)).toBe(true); // arrays of objects of arrays
    expect(matches('L4.opts ~ MSS', REC)).toBe(false);
    expect(matches('HTTP.headers ~ plain', REC)).toBe(true);
    expect(matches('HTTP.headers ~ content', REC)).toBe(false);
  });
  it('a missing or null field makes every comparison false', () => {
    const nulls = { HTTP: { code: null, method: null }, L3: { src: null } };
    for (const op of ['==', '=', '!=', '<', '<=', '>', '>=', '~']) {
      expect(matches(`HTTP.status ${op} 1`, REC)).toBe(false);
      expect(matches(`HTTP.code ${op} 1`, nulls)).toBe(false);
      expect(matches(`L3.src ${op} 10.0.0.1`, nulls)).toBe(false);
      expect(matches(`DNS.id ${op} x`, REC)).toBe(false);
    }
    expect(matches('HTTP.status =~ "."', REC)).toBe(false);
    expect(matches('not DNS.id == 1', REC)).toBe(true);
    expect(matches('not HTTP.code == 200', REC)).toBe(false);
    expect(matches('not HTTP.code == 200', { L3: {} })).toBe(true);
  });
  it('exists: present and not null', () => {
    expect(matches('HTTP', REC)).toBe(true);
    expect(matches('DNS', REC)).toBe(false);
    expect(matches('HTTP.code', REC)).toBe(true);
    expect(matches('HTTP.status', REC)).toBe(false);
    expect(matches('HTTP.method', { HTTP: { method: null } })).toBe(false);
    expect(matches('local', REC)).toBe(true); // false is present
    expect(matches('L4.len', REC)).toBe(true); // "0" is present
    expect(matches('not DNS', REC)).toBe(true);
    expect(compile('HTTP.code').paths).toEqual(['HTTP.code', 'HTTP.streams.*.frames.headers.:status']);
    expect(compile('HTTP.status').paths).toEqual(['HTTP.status']);
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
    for (const w of ['HTTP', 'L3', 'message', 'severity', 'pcap', 'flow', 'local', 'err', 'L3.src', 'logging.googleapis.com/labels']) {
      const q = compile(w);
      expect(q.usesText, w).toBe(false);
      expect(q.paths, w).toEqual([w]);
    }
    expect(compile('logging.googleapis.com/trace').paths).toEqual(['logging.googleapis.com/trace', 'HTTP.streams.*.frames.logging.googleapis.com/trace']);
    // A dotted word that names no record key is free text now (was: an exists-check).
    for (const w of ['GET', 'http', '404', '10.0.0.1', 'fe80::1', 'abc-123', 'SYN', 'true', '-5', 'L3.', '.x', 'a.b', 'example.com', 'trace', 'foo*']) {
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
    expect(compile('HTTP.url =~ "\\d+"').source).toBe('HTTP.url =~ "\\\\d+"');
    expect(compile('HTTP.method == "and"').source).toBe('HTTP.method == "and"');
    expect(compile('HTTP.url ~ abc-123 ((b))').source).toBe('HTTP.url ~ abc-123 and b');
    expect(compile('not (a or b) and (c or d) or e').source).toBe('not (a or b) and (c or d) or e');
    expect(compile('L3.src==10.0.0.0/8 HTTP.streams.*.id>1').source).toBe('L3.src == 10.0.0.0/8 and HTTP.streams.*.id > 1');
  });
  it('parses back to the same query', () => {
    for (const t of ['HTTP.url =~ "\\d+\\."', 'message == "tab\\there"', '"q\\u0041"', 'not (a b) or (c or d) e', 'severity >= warning', 'L3.dst != fd00::/8']) {
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

describe('addresses and networks', () => {
  const v4 = { L3: { src: '10.1.2.3', dst: '192.168.0.10', endpoints: { src: '10.1.2.3', dst: '192.168.0.10' } } };
  const v6 = { L3: { src: 'fd00::1', dst: '2001:db8::a:0:0:1' } };
  const quoted = { ICMP: { IPv6: { src: '::ffff:10.9.8.7', dst: 'fe80::1' } } };
  it('CIDR on IPv4, either side of !=', () => {
    expect(matches('L3.src == 10.0.0.0/8', v4)).toBe(true);
    expect(matches('L3.src == 10.1.2.0/24', v4)).toBe(true);
    expect(matches('L3.src == 10.1.3.0/24', v4)).toBe(false);
    expect(matches('L3.src == 10.1.2.3/32', v4)).toBe(true);
    expect(matches('L3.src == 0.0.0.0/0', v4)).toBe(true);
    expect(matches('L3.src == 10.255.255.255/8', v4)).toBe(true); // host bits ignored
    expect(matches('L3.src != 10.0.0.0/8', v4)).toBe(false);
    expect(matches('L3.dst != 10.0.0.0/8', v4)).toBe(true);
    expect(matches('L3.dst == 192.168.0.8/29', v4)).toBe(true);
    expect(matches('L3.dst == 192.168.0.8/31', v4)).toBe(false);
    expect(matches('L3.endpoints.src == "10.0.0.0/8"', v4)).toBe(true);
    expect(matches('L3.src == 10.0.0.0/8', v6)).toBe(false);
    expect(matches('L3.src != 10.0.0.0/8', v6)).toBe(true);
  });
  it('CIDR on IPv6, and address equality that ignores the spelling', () => {
    expect(matches('L3.src == fd00::/8', v6)).toBe(true);
    expect(matches('L3.dst == fd00::/8', v6)).toBe(false);
    expect(matches('L3.dst == 2001:db8::/32', v6)).toBe(true);
    expect(matches('L3.dst == 2001:0db8:0:0:a:0:0:1', v6)).toBe(true);
    expect(matches('L3.dst == 2001:db8:0:0:0:a::1', v6)).toBe(false); // :a: one group later
    expect(matches('L3.dst == 2001:DB8::A:0:0:1', v6)).toBe(true);
    expect(matches('L3.dst == 2001:db8::a:0:0:2', v6)).toBe(false);
    expect(matches('L3.src == ::/0', v6)).toBe(true);
    expect(matches('L3.src == fd00::/7', { L3: { src: 'fc01::5' } })).toBe(true);
    expect(matches('L3.src == fd00::/8', { L3: { src: 'fc01::5' } })).toBe(false);
    expect(matches('L3.src == fd00::/8', v4)).toBe(false);
  });
  it('IPv4-mapped addresses as the core writes them (L3 plain, ICMPv6 quotes ::ffff:)', () => {
    expect(matches('ICMP.IPv6.src == 10.0.0.0/8', quoted)).toBe(true);
    expect(matches('ICMP.IPv6.src == 10.9.8.7', quoted)).toBe(true);
    expect(matches('L3.src == ::ffff:10.1.2.3', v4)).toBe(true);
    expect(matches('L3.src == ::ffff:10.0.0.0/104', v4)).toBe(true);
    expect(matches('L3.src == ::ffff:0:0/96', v4)).toBe(true);
    expect(matches('L3.src == ::ffff:11.0.0.0/104', v4)).toBe(false);
  });
  it('every address field: ARP, DNS answers, ICMP, iface, and arrays of them', () => {
    expect(matches('ARP.src.IP == 192.168.1.0/24', { ARP: { src: { IP: '192.168.1.7' } } })).toBe(true);
    const dns = { DNS: { answers: [{ A: '93.184.216.34' }, { AAAA: '2606:2800:220:1::248' }, { CNAME: 'x.example' }] } };
    expect(matches('DNS.answers.A == 93.184.0.0/16', dns)).toBe(true);
    expect(matches('DNS.answers.AAAA == 2606:2800::/32', dns)).toBe(true);
    expect(matches('DNS.answers.A != 93.184.0.0/16', dns)).toBe(false);
    expect(matches('iface.addrs == 10.0.0.0/8', { iface: { addrs: ['192.168.0.1', '10.0.0.2'] } })).toBe(true);
    expect(matches('ICMP.tgt == 10.0.0.0/8', { ICMP: { tgt: '10.0.0.1' } })).toBe(true);
  });
  it('orders addresses, not text', () => {
    const r = { L3: { src: '10.0.0.10' } };
    expect(matches('L3.src > 10.0.0.9', r)).toBe(true); // as text "10.0.0.10" < "10.0.0.9"
    expect(matches('L3.src < 10.0.0.9', r)).toBe(false);
    expect(matches('L3.src >= 10.0.0.10', r)).toBe(true);
    expect(matches('L3.src <= ::ffff:10.0.0.10', r)).toBe(true);
    expect(matches('L3.src < fd00::1', r)).toBe(true); // IPv4 sorts as ::ffff:a.b.c.d
  });
  it('~ and =~ stay text tests on addresses; other fields keep text equality', () => {
    expect(matches('L3.src ~ 10.1.', v4)).toBe(true);
    expect(matches('L3.src =~ "^10\\."', v4)).toBe(true);
    expect(matches('HTTP.url == 10.0.0.0/8', { HTTP: { url: '10.0.0.0/8' } })).toBe(true);
  });
  it('refuses malformed addresses and networks where they are parsed', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0.256', '10.0.0', '1.2.3.4.5', 'fd00::/129', 'fd00:::1', '1::2::3', 'g::1', '10.0.0.0/', '10.0.0.0/8/8',
      '::ffff:1.2.3', '1:2:3:4:5:6:7:8:9', '12345::', '10.0.0.0/-1', '"a b"']) {
      const e = errorOf(`L3.src == ${bad}`);
      expect(e.offset, bad).toBe(10);
      expect(e.length, bad).toBe(bad.length);
    }
    expect(parseQuery('L3.src == 1:2:3:4:5:6:7:8').ok).toBe(true);
    expect(parseQuery('L3.src == ::').ok).toBe(true);
    expect(parseQuery('L3.src == ::1.2.3.4').ok).toBe(true);
    expect(parseQuery('L3.src == 1::').ok).toBe(true);
  });
});

describe('~ on objects: values, not keys', () => {
  const flags = (str: string, fin: boolean) => ({ L4: { flags: { bin: fin ? '0b10001' : '0b10000', dec: fin ? 17 : 16, hex: fin ? '0x11' : '0x10', map: { ACK: true, FIN: fin, SYN: false }, str } } });
  it('L4.flags ~ FIN is the segments with FIN set, at DEBUG and at INFO', () => {
    expect(matches('L4.flags ~ FIN', flags('FIN|ACK', true))).toBe(true);
    expect(matches('L4.flags ~ FIN', flags('ACK', false))).toBe(false);
    expect(matches('L4.flags ~ fin', { L4: { flags: { dec: 1, str: 'FIN' } } })).toBe(true);
    expect(matches('L4.flags ~ FIN', { L4: { flags: { dec: 16, str: 'ACK' } } })).toBe(false);
    // true/false of the map are no text of the flags: "a" and "e" match nothing there.
    expect(matches('L4.flags ~ e', flags('ACK', false))).toBe(false);
    expect(matches('L4.flags ~ 17', flags('FIN|ACK', true))).toBe(true);
    expect(matches('L4.flags =~ "FIN"', flags('FIN|ACK', true))).toBe(true);
    expect(matches('L4.flags =~ "FIN"', flags('ACK', false))).toBe(false);
  });
  it('a boolean addressed by its own path is still text for ~', () => {
    expect(matches('local ~ fal', { local: false })).toBe(true);
    expect(matches('L4.flags.map.FIN ~ true', flags('FIN|ACK', true))).toBe(true);
  });
});

describe('normalized HTTP fields', () => {
  const h2 = {
    HTTP: {
      proto: 'h2c',
      streams: {
        1: { id: 1, frames: [{ kind: 'request', headers: { ':method': ['GET'], ':path': ['/v1/items/0?size=16'], 'X-Request-Id': ['eb63'] }, 'logging.googleapis.com/trace': 'projects//traces/6b322b9aa76881ff1f9e2dcaa0621184', 'logging.googleapis.com/spanId': 'e74bf197ea32f3bb' }] },
        3: { id: 3, frames: [{ kind: 'response', headers: { ':status': ['404'] } }, { kind: 'trailers', grpc: { status: 5, message: 'not found' } }] },
      },
    },
  };
  const h1 = { HTTP: { kind: 'request', method: 'POST', url: '/item?i=1', proto: 'HTTP/1.1', headers: { 'X-Request-Id': ['ff00'] } }, 'logging.googleapis.com/trace': 'projects//traces/489dd05b' };
  it('read HTTP/2 frames as HTTP/1 records', () => {
    expect(matches('HTTP.method == GET', h2)).toBe(true);
    expect(matches('HTTP.method == POST', h2)).toBe(false);
    expect(matches('HTTP.method == POST', h1)).toBe(true);
    expect(matches('HTTP.code >= 400', h2)).toBe(true);
    expect(matches('HTTP.code == 404', h2)).toBe(true);
    expect(matches('HTTP.code < 400', h2)).toBe(false);
    expect(matches('HTTP.url ~ /v1/items', h2)).toBe(true);
    expect(matches('HTTP.url == "/v1/items/0?size=16"', h2)).toBe(true);
    expect(matches('HTTP.kind == trailers', h2)).toBe(true);
    expect(matches('HTTP.headers.X-Request-Id == eb63', h2)).toBe(true);
    expect(matches('HTTP.headers.X-Request-Id == ff00', h1)).toBe(true);
    expect(matches('logging.googleapis.com/trace ~ 6b322b9a', h2)).toBe(true);
    expect(matches('logging.googleapis.com/trace ~ 489dd05b', h1)).toBe(true);
    expect(matches('logging.googleapis.com/spanId == e74bf197ea32f3bb', h2)).toBe(true);
    expect(matches('HTTP.grpc.status == 5', h2)).toBe(true);
    expect(matches('HTTP.grpc.message ~ found', h2)).toBe(true);
    expect(matches('HTTP.proto == h2c', h2)).toBe(true);
    expect(matches('HTTP.method', h2)).toBe(true);
    expect(matches('HTTP.code', h1)).toBe(false);
  });
  it('!= keeps its meaning: a value, and none equals', () => {
    expect(matches('HTTP.method != POST', h2)).toBe(true);
    expect(matches('HTTP.method != GET', h2)).toBe(false);
    expect(matches('HTTP.code != 200', h2)).toBe(true);
    expect(matches('HTTP.code != 404', h2)).toBe(false);
    expect(matches('HTTP.code != 200', h1)).toBe(false); // no code: missing
    expect(matches('not HTTP.code == 200', h1)).toBe(true);
  });
  it('resolveField gathers both places; resolvePath reads one', () => {
    expect(resolveField(h2, 'HTTP.method')).toEqual(['GET']);
    expect(resolveField(h2, 'HTTP.code')).toEqual(['404']);
    expect(resolveField(h1, 'HTTP.method')).toBe('POST');
    expect(resolveField(h2, 'HTTP.proto')).toBe('h2c');
    expect(resolveField(h2, 'logging.googleapis.com/trace')).toEqual(['projects//traces/6b322b9aa76881ff1f9e2dcaa0621184']);
    expect(resolveField({ ...h1, HTTP: { ...h1.HTTP, streams: h2.HTTP.streams } }, 'HTTP.method')).toEqual(['POST', 'GET']);
    expect(resolveField(h1, 'HTTP.headers.X-Request-Id')).toEqual(['ff00']);
    expect(resolveField(h2, 'L3.src')).toBeUndefined();
    expect(resolveField({ L3: { flags: ['DF'] } }, 'L3.flags')).toEqual(['DF']);
    expect(resolveField(h1, 'HTTP.code')).toBeUndefined();
    expect(resolvePath(h2, 'HTTP.method')).toBeUndefined();
    expect(resolvePath(h2, 'HTTP.streams.*.frames.headers.:status')).toEqual([[['404']]]);
    expect(resolvePath(h2, 'HTTP.streams.*.id')).toEqual([1, 3]);
    expect(resolvePath(h2, 'HTTP.streams.3.frames.*.kind')).toEqual(['response', 'trailers']);
    expect(resolvePath({ a: [1, 2] }, 'a.*')).toEqual([1, 2]);
    expect(resolvePath({ a: {} }, 'a.*')).toBeUndefined();
  });
});

describe('completion', () => {
  const labels = (t: string, c = t.length, present?: Set<string>) => complete(t, c, present).items.map((i) => i.label);
  it('field names where a term starts, replacing the word at the cursor', () => {
    const r = complete('HTTP.c', 6);
    expect(r).toMatchObject({ from: 0, to: 6 });
    expect(r.items.map((i) => [i.label, i.kind])).toEqual([['HTTP.code', 'field']]);
    expect(complete('L3 and http.me', 14)).toMatchObject({ from: 7, to: 14, items: [{ label: 'HTTP.method', insert: 'HTTP.method' }] });
    // In the middle of a word: the whole word is replaced.
    expect(complete('HTTP.cod or L3', 7)).toMatchObject({ from: 0, to: 8 });
    expect(labels('(not L4.fl')).toContain('L4.flags');
    expect(labels('')).toContain('not');
  });
  it('the capture\'s fields first', () => {
    const present = new Set(['HTTP.headers.X-Request-Id', 'HTTP.method']);
    const items = complete('HTTP.', 5, present).items;
    expect(items.slice(0, 2).map((i) => [i.label, i.present])).toEqual([['HTTP.method', true], ['HTTP.headers.X-Request-Id', true]]);
    expect(items[2]?.present).toBe(false);
  });
  it('operators after a field, values after an operator, and/or after a term', () => {
    expect(labels('HTTP.code ')).toEqual(['==', '!=', '<', '<=', '>', '>=', '~', '=~', 'and', 'or']);
    expect(complete('HTTP.code ', 10).items[0]).toMatchObject({ kind: 'operator', insert: '== ' });
    expect(labels('severity >= W')).toEqual(['WARNING']);
    expect(labels('L4.flags ~ ')).toEqual(['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR']);
    expect(complete('L4.flags.str == S', 17).items.find((i) => i.label === 'SYN|ACK')?.insert).toBe('"SYN|ACK"');
    expect(labels('local == ')).toEqual(['true', 'false']);
    expect(labels('HTTP.method=P')).toEqual(['POST', 'PUT', 'PATCH']);
    expect(labels('HTTP.url =~ ')).toEqual([]);
    expect(labels('HTTP.code == 200 ').slice(0, 3)).toEqual(['and', 'or', 'not']);
    expect(labels('HTTP.code == 200 o')).toEqual(['or']);
    expect(labels('"abc" ').slice(0, 3)).toEqual(['and', 'or', 'not']);
    expect(labels('(L3) ').slice(0, 2)).toEqual(['and', 'or']);
  });
  it('nothing inside a quoted string; any cursor is safe', () => {
    expect(complete('HTTP.url == "/ab', 16).items).toEqual([]);
    expect(complete('"L4', 3).items).toEqual([]);
    for (const c of [-5, 0, 3, 99, NaN]) expect(() => complete('L3 # x', c)).not.toThrow();
    const r = complete('L3.src', 99);
    expect([r.from, r.to]).toEqual([0, 6]);
  });
});

describe('help', () => {
  it('every operator has one line; 8 to 12 examples, each a valid query', () => {
    for (const op of ['==', '!=', '<', '<=', '>', '>=', '~', '=~']) {
      expect(QUERY_HELP.operators.some((l) => l.text.split(/\s+/).includes(op)), op).toBe(true);
    }
    for (const l of [...QUERY_HELP.operators, ...QUERY_HELP.examples]) {
      expect(l.doc.length).toBeGreaterThan(5);
      expect(l.doc.includes('\n')).toBe(false);
    }
    expect(QUERY_HELP.examples.length).toBeGreaterThanOrEqual(8);
    expect(QUERY_HELP.examples.length).toBeLessThanOrEqual(12);
    for (const e of QUERY_HELP.examples) expect(parseQuery(e.text).ok, e.text).toBe(true);
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
/** Every HTTP/2 frame of the record, all streams. */
const frames = (r: Record<string, any>): any[] => Object.values(r.HTTP?.streams ?? {}).flatMap((s: any) => s.frames ?? []);
/** A normalized field by hand: the HTTP/1 value, then each frame's header values. */
const h1h2 = (r: Record<string, any>, h1: unknown, header: string): unknown[] =>
  [...(h1 == null ? [] : [h1]), ...frames(r).flatMap((f) => f.headers?.[header] ?? [])];
const methods = (r: Record<string, any>) => h1h2(r, r.HTTP?.method, ':method');
const codes = (r: Record<string, any>) => h1h2(r, r.HTTP?.code, ':status').map(num);
const traces = (r: Record<string, any>): string[] =>
  [r['logging.googleapis.com/trace'], ...frames(r).map((f) => f['logging.googleapis.com/trace'])].filter((t) => t != null);
const PREDICATES: Array<[string, (r: Record<string, any>, line: string) => boolean]> = [
  ['HTTP', (r) => r.HTTP != null],
  ['HTTP.code >= 200 and L4.src == 28091', (r) => codes(r).some((c) => c >= 200) && num(r.L4?.src) === 28091],
  ['HTTP.method == GET or HTTP.method == POST', (r) => methods(r).some((m) => m === 'GET' || m === 'POST')],
  ['not HTTP.code == 200', (r) => !codes(r).includes(200)],
  ['L4.flags.str == SYN or L4.flags.str == "SYN|ACK"', (r) => r.L4?.flags?.str === 'SYN' || r.L4?.flags?.str === 'SYN|ACK'],
  ['L4.flags.str ~ fin', (r) => typeof r.L4?.flags?.str === 'string' && r.L4.flags.str.toLowerCase().includes('fin')],
  ['L4.len > 0', (r) => num(r.L4?.len) > 0],
  ['L4.len > 0 L4.src == 28092', (r) => num(r.L4?.len) > 0 && num(r.L4?.src) === 28092],
  ['L3.flags == DF and L3.proto.name == TCP', (r) => Array.isArray(r.L3?.flags) && r.L3.flags.includes('DF') && r.L3?.proto?.name === 'TCP'],
  ['meta.len > 100 and meta.cap_len <= 1514', (r) => num(r.meta?.len) > 100 && num(r.meta?.cap_len) <= 1514],
  ['pcap.num < 10 || pcap.num >= 50', (r) => num(r.pcap?.num) < 10 || num(r.pcap?.num) >= 50],
  ['logging.googleapis.com/trace', (r) => traces(r).length > 0],
  ['logging.googleapis.com/trace =~ "^projects/[^/]*/traces/[0-9a-f]{32}$"', (r) => traces(r).some((t) => /^projects\/[^/]*\/traces\/[0-9a-f]{32}$/.test(t))],
  ['logging.googleapis.com/labels.run.googleapis.com/pcap/iface == any', (r) => r['logging.googleapis.com/labels']?.['run.googleapis.com/pcap/iface'] === 'any'],
  ['"keep-alive"', (_r, line) => line.toLowerCase().includes('keep-alive')],
  ['HTTP.headers.Content-Type ~ text/', (r) => h1h2(r, undefined, 'Content-Type').concat(r.HTTP?.headers?.['Content-Type'] ?? []).some((v) => String(v).toLowerCase().includes('text/'))],
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
