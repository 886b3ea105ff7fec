// The filter's field catalog (runtimes/browser/app/fields.ts): complete against what the core
// writes (every path of every record of every corpus capture, at DEBUG and INFO, and every key
// the renderers spell), DEBUG-only marks right, unknown paths refused, suggestions, completion,
// and the fields a capture has.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  FIELDS, MAX_COMPLETIONS, MAX_PRESENT_FIELDS, NORMALIZED, TOP_LEVEL_KEYS,
  canonicalField, collectFields, completeFields, fieldInfo, fieldSources, isKnownField, looksLikeField, suggestFields,
} from '../../../../runtimes/browser/app/fields.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const CORPUS = new URL('../../../../../shared/corpus/', import.meta.url).pathname;
/** Records translated per capture and verbosity: enough for every shape, and the test stays fast. */
const RECORDS_PER_FILE = 2000;

type Rec = Record<string, unknown>;

function captures(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) captures(p, out);
    else if (/\.(pcap|pcapng)$/.test(name)) out.push(p);
  }
  return out;
}

/** Every path of a value, array indices dropped, objects included (their own path too). */
function pathsOf(value: unknown, path: string, into: Map<string, unknown>): void {
  if (Array.isArray(value)) { for (const v of value) pathsOf(v, path, into); return; }
  if (path !== '' && !into.has(path)) into.set(path, value);
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) pathsOf(v, path === '' ? k : `${path}.${k}`, into);
}

interface Seen { files: number; records: number; paths: Map<string, { value: unknown; file: string }>; byFile: Map<string, Rec[]> }

const built = existsSync(ROOT + 'dist/src/index.js') && existsSync(ROOT + 'build/tracecap.wasm');
const FILES = [...captures(CORPUS), ...captures(ROOT + 'test/captures'), ...captures(ROOT + 'examples')];

async function translateAll(verbosity: 'debug' | 'info'): Promise<Seen> {
  const { createTranslator } = (await import(ROOT + 'dist/src/index.js')) as typeof import('../../../../src/index.js');
  const wasm = await WebAssembly.compile(readFileSync(ROOT + 'build/tracecap.wasm'));
  const seen: Seen = { files: 0, records: 0, paths: new Map(), byFile: new Map() };
  const dec = new TextDecoder();
  for (const file of FILES) {
    const t = await createTranslator(wasm, { verbosity, limit: RECORDS_PER_FILE });
    const text = dec.decode(t.push(readFileSync(file))) + dec.decode(t.finish());
    seen.files++;
    const recs: Rec[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const r = JSON.parse(line) as Rec;
      recs.push(r);
      seen.records++;
      const one = new Map<string, unknown>();
      pathsOf(r, '', one);
      for (const [p, value] of one) if (!seen.paths.has(p)) seen.paths.set(p, { value, file });
    }
    seen.byFile.set(file, recs);
  }
  return seen;
}

describe('the catalog against the core', () => {
  it(`the core is built (${built ? 'built' : 'NOT BUILT, run npm run build'}) and the corpus is there (${FILES.length} captures)`, () => {
    expect(built).toBe(true);
    expect(FILES.filter((f) => f.startsWith(CORPUS)).length).toBeGreaterThan(100);
  });

  const runs = built ? { debug: translateAll('debug'), info: translateAll('info') } : undefined;

  for (const verbosity of ['debug', 'info'] as const) {
    it(`every path of every record at ${verbosity.toUpperCase()} is in the catalog`, async () => {
      const seen = await (runs as NonNullable<typeof runs>)[verbosity];
      expect(seen.records).toBeGreaterThan(10_000);
      const unknown = [...seen.paths].filter(([p]) => !isKnownField(p)).map(([p, x]) => `${p} (${x.file.replace(CORPUS, '')})`);
      expect(unknown).toEqual([]);
      // The catalog's type agrees with the values: addresses parse, numbers are numbers.
      for (const [p, { value }] of seen.paths) {
        const f = fieldInfo(p)!;
        if (f.type === 'number') expect(typeof value, p).toBe('number');
        if (f.type === 'numtext') expect(value, p).toMatch(/^-?\d+$/);
        if (f.type === 'bool') expect(typeof value, p).toBe('boolean');
        if (f.type === 'object') expect(typeof value, p).toBe('object');
        if (f.type === 'address') expect(value, p).toMatch(/^[0-9a-f:.]+$/);
      }
    });
  }

  it('fields marked DEBUG never show at INFO, and DEBUG records show them', async () => {
    const info = await runs!.info;
    const debug = await runs!.debug;
    const atInfo = [...info.paths.keys()].filter((p) => fieldInfo(p)?.debug);
    expect(atInfo).toEqual([]);
    // HTTP, TLS, L7 and the trace exist at DEBUG only: they are in the DEBUG run.
    for (const p of ['HTTP', 'TLS', 'L7', 'logging.googleapis.com/trace', 'iface', 'L3.endpoints', 'L4.flags.map']) {
      expect(debug.paths.has(p), p).toBe(true);
    }
  });

  it('the corpus exercises the dynamic parts: header names, stream ids, settings, options, answers', async () => {
    const debug = await runs!.debug;
    const has = (re: RegExp) => [...debug.paths.keys()].some((p) => re.test(p));
    expect(has(/^HTTP\.headers\.[A-Z]/)).toBe(true);
    expect(has(/^HTTP\.streams\.\d+\.frames\.headers\.:status$/)).toBe(true);
    expect(has(/^HTTP\.streams\.\d+\.frames\.settings\.0x/)).toBe(true);
    expect(has(/^HTTP\.streams\.\d+\.frames\.grpc\.status$/)).toBe(true);
    expect(has(/^L4\.opts\.Unknown\(\d+\)$/)).toBe(true);
    expect(has(/^DNS\.answers\.A$/)).toBe(true);
  });

  it('every key the renderers spell is a key of the catalog', () => {
    const sources: string[] = [];
    const walk = (dir: string): void => {
      for (const n of readdirSync(dir)) {
        const p = join(dir, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (n.endsWith('.ts')) sources.push(readFileSync(p, 'utf8'));
      }
    };
    walk(ROOT + 'assembly');
    const keys = new Set<string>();
    for (const src of sources) {
      for (const m of src.matchAll(/frag\("((?:[^"\\]|\\.)*)"\)/g)) {
        for (const k of (m[1] as string).matchAll(/\\"([A-Za-z_./:0-9-]+)\\":/g)) keys.add(k[1] as string);
      }
    }
    expect(keys.size).toBeGreaterThan(100);
    const catalogKeys = new Set<string>();
    for (const f of FIELDS) {
      let rest = f.path;
      // A dotted key is one segment of a path that holds it.
      for (const d of ['logging.googleapis.com/', 'run.googleapis.com/']) rest = rest.replaceAll(new RegExp(`${d.replace(/\./g, '\\.')}[A-Za-z_/]+`, 'g'), (k) => k.replace(/\./g, '\u0000'));
      for (const seg of rest.split('.')) catalogKeys.add(seg.replace(/\u0000/g, '.'));
    }
    const missing = [...keys].filter((k) => !catalogKeys.has(k));
    expect(missing).toEqual([]);
  });
});

describe('the catalog', () => {
  it('lists each path once, parents first, each with a description', () => {
    const paths = FIELDS.map((f) => f.path);
    expect(new Set(paths).size).toBe(paths.length);
    FIELDS.forEach((f, i) => {
      expect(f.doc.length, f.path).toBeGreaterThan(3);
      expect(f.doc.length, f.path).toBeLessThan(100);
      if (TOP_LEVEL_KEYS.has(f.path)) return;
      // The parent is the longest known prefix ending before a dot (keys may hold dots).
      let parent;
      for (let d = f.path.lastIndexOf('.'); d > 0 && !parent; d = f.path.lastIndexOf('.', d - 1)) parent = fieldInfo(f.path.slice(0, d));
      expect(parent, f.path).toBeDefined();
      expect(FIELDS.indexOf(parent!), f.path).toBeLessThan(i);
    });
    expect([...TOP_LEVEL_KEYS].sort()).toEqual(['ARP', 'DNS', 'HTTP', 'ICMP', 'L2', 'L3', 'L4', 'L7', 'TLS', 'err', 'file', 'flow', 'fragment', 'iface', 'local',
      'logging.googleapis.com/labels', 'logging.googleapis.com/operation', 'logging.googleapis.com/spanId', 'logging.googleapis.com/trace',
      'logging.googleapis.com/trace_sampled', 'message', 'meta', 'pcap', 'severity', 'timestamp', 'timing', 'tunnel']);
  });

  it('accepts indices, dynamic keys and keys with dots; refuses the rest', () => {
    for (const p of ['L4.opts.0.MSS.1', 'HTTP.streams.1.frames.0.headers.:method', 'HTTP.headers.X.Dotted-Name', 'HTTP.headers.Accept.0',
      'HTTP.streams.*.id', 'L3.flags.*', 'logging.googleapis.com/labels.run.googleapis.com/pcap/iface', 'HTTP.grpc.status', 'L4.opts.Unknown(19)']) {
      expect(isKnownField(p), p).toBe(true);
    }
    for (const p of ['L4.nope', 'HTTP.streams.1.nope', 'tcp.port', 'http.code', 'l3.src', 'L3.src.0', 'L3.0', 'logging.googleapis.com',
      'logging.googleapis.com/labels.run', '', 'L3.', 'HTTP.nope.0']) {
      expect(isKnownField(p), p).toBe(false);
    }
    expect(fieldInfo('L3.src')?.type).toBe('address');
    expect(fieldInfo('DNS.answers.AAAA')?.type).toBe('address');
    expect(fieldInfo('L3.flags')?.array).toBe(true);
    expect(fieldInfo('HTTP.headers.Content-Type')?.path).toBe('HTTP.headers.*');
  });

  it('canonical spelling in another case', () => {
    expect(canonicalField('http.code')).toBe('HTTP.code');
    expect(canonicalField('l4.FLAGS.map.fin')).toBe('L4.flags.map.FIN');
    expect(canonicalField('http.headers.content-type')).toBe('HTTP.headers.content-type');
    expect(canonicalField('Logging.googleapis.com/TRACE')).toBe('logging.googleapis.com/trace');
    expect(canonicalField('tcp.port')).toBeUndefined();
  });

  it('normalized fields read the HTTP/2 frames too', () => {
    expect(fieldSources('HTTP.method')).toEqual(['HTTP.method', 'HTTP.streams.*.frames.headers.:method']);
    expect(fieldSources('HTTP.code')).toEqual(['HTTP.code', 'HTTP.streams.*.frames.headers.:status']);
    expect(fieldSources('HTTP.url')).toEqual(['HTTP.url', 'HTTP.streams.*.frames.headers.:path']);
    expect(fieldSources('HTTP.headers.X-Request-Id')).toEqual(['HTTP.headers.X-Request-Id', 'HTTP.streams.*.frames.headers.X-Request-Id']);
    expect(fieldSources('logging.googleapis.com/trace')).toEqual(['logging.googleapis.com/trace', 'HTTP.streams.*.frames.logging.googleapis.com/trace']);
    expect(fieldSources('logging.googleapis.com/trace_sampled')[1]).toBe('HTTP.streams.*.frames.logging.googleapis.com/trace_sampled');
    expect(fieldSources('HTTP.proto')).toEqual(['HTTP.proto']);
    expect(fieldSources('HTTP.codes')).toEqual(['HTTP.codes']);
    expect(fieldSources('L3.src')).toEqual(['L3.src']);
    for (const [p, frames] of NORMALIZED) {
      expect(isKnownField(p), p).toBe(true);
      expect(isKnownField(frames), frames).toBe(true);
      expect(fieldInfo(p)?.normalized, p).toBe(true);
    }
    expect(fieldInfo('HTTP.status')?.normalized).toBe(false);
  });

  it('what looks like a field', () => {
    for (const w of ['tcp.port', 'http.code', 'L4.nope', 'ip.src', 'dns.qry.name', 'logging.googleapis.com/x', 'Http.x']) expect(looksLikeField(w), w).toBe(true);
    for (const w of ['example.com', 'trace', 'GET', 'www.google.com', 'a.b', '.x']) expect(looksLikeField(w), w).toBe(false);
  });
});

describe('suggestions', () => {
  it('another case, then Wireshark names, then the same last key, then edit distance', () => {
    expect(suggestFields('tcp.port')).toEqual(['L4.dst', 'L4.src']);
    expect(suggestFields('http.code')).toEqual(['HTTP.code']);
    expect(suggestFields('ip.src')).toEqual(['L3.src']);
    // HTTP/1 responses do have HTTP.request.method (the request they answer): both.
    expect(suggestFields('http.request.method')).toEqual(['HTTP.request.method', 'HTTP.method']);
    expect(suggestFields('http.response.code')).toEqual(['HTTP.code']);
    expect(suggestFields('dns.qry.name')).toEqual(['DNS.questions.name']);
    expect(suggestFields('trace')).toEqual(['logging.googleapis.com/trace']);
    expect(suggestFields('sni')).toEqual(['TLS.client_hello.sni']);
    expect(suggestFields('L3.sr')).toContain('L3.src');
    expect(suggestFields('HTTP.methd')[0]).toBe('HTTP.method');
    expect(suggestFields('zzzzzz.qqqqqqq')).toEqual([]);
    expect(suggestFields('L4.s').length).toBeLessThanOrEqual(3);
  });
  it('every alias names catalog fields', () => {
    for (const p of ['tcp.port', 'ip.addr', 'eth.addr', 'grpc.status', 'http.user_agent', 'tls.handshake.extensions_server_name']) {
      for (const s of suggestFields(p)) expect(isKnownField(s), `${p} → ${s}`).toBe(true);
    }
  });
});

describe('completion of field names', () => {
  it('completes any case, shallow names first, cut before a key still to type', () => {
    const c = completeFields('http.c');
    expect(c.map((x) => x.insert)).toEqual(['HTTP.code']);
    const s = completeFields('HTTP.s');
    expect(s.map((x) => x.insert)).toEqual(['HTTP.status', 'HTTP.size', 'HTTP.skipped', 'HTTP.streams', 'HTTP.streams.']);
    expect(s.find((x) => x.insert === 'HTTP.streams.')?.label).toBe('HTTP.streams.*');
    const h = completeFields('HTTP.headers.');
    expect(h[0]).toMatchObject({ label: 'HTTP.headers.*', insert: 'HTTP.headers.', present: false });
    expect(completeFields('HTTP.streams.7.fr')[0]).toMatchObject({ label: 'HTTP.streams.*.frames', insert: 'HTTP.streams.7.frames' });
    expect(completeFields('logging.googleapis.com/t').map((x) => x.insert)).toEqual(['logging.googleapis.com/trace', 'logging.googleapis.com/trace_sampled']);
    expect(completeFields('').length).toBe(MAX_COMPLETIONS);
    expect(completeFields('').slice(0, 3).map((x) => x.insert)).toEqual(['pcap', 'meta', 'timestamp']);
    expect(completeFields('nothing.like.this')).toEqual([]);
  });
  it('the capture\'s own names come first', () => {
    const present = new Set(['HTTP.headers.X-Request-Id', 'HTTP.code', 'HTTP.headers.Content-Type']);
    const c = completeFields('HTTP.', present);
    expect(c.slice(0, 3).map((x) => [x.insert, x.present])).toEqual([['HTTP.code', true], ['HTTP.headers.Content-Type', true], ['HTTP.headers.X-Request-Id', true]]);
    expect(c.filter((x) => x.insert === 'HTTP.code').length).toBe(1);
    expect(completeFields('HTTP.headers.x', present).map((x) => x.insert)).toEqual(['HTTP.headers.X-Request-Id']);
  });
});

describe('the fields of a capture', () => {
  const h2 = {
    HTTP: { proto: 'h2c', streams: { 1: { id: 1, frames: [{ headers: { ':method': ['GET'], 'X-Id': ['a'] }, 'logging.googleapis.com/trace': 'projects//traces/ab', kind: 'request' }] }, 3: { id: 3, frames: [{ headers: { ':status': ['404'] } }] } } },
    L4: { flags: { str: 'ACK', dec: 16 }, opts: ['NOP', { MSS: ['1460', '0x05b4'] }] },
    unknownKey: { x: 1 },
  };
  it('collects known paths with stream ids as *, and the normalized names the frames answer', () => {
    const into = new Set<string>();
    collectFields(h2, into);
    for (const p of ['HTTP', 'HTTP.streams', 'HTTP.streams.*', 'HTTP.streams.*.frames.headers.:method', 'HTTP.streams.*.frames.headers.X-Id',
      'HTTP.method', 'HTTP.code', 'HTTP.headers.X-Id', 'HTTP.kind', 'logging.googleapis.com/trace', 'L4.flags.str', 'L4.opts', 'L4.opts.MSS']) {
      expect(into.has(p), p).toBe(true);
    }
    expect([...into].filter((p) => /\.\d+(\.|$)/.test(p))).toEqual([]);
    expect(into.has('unknownKey')).toBe(false);
    expect(into.has('HTTP.url')).toBe(false);
    for (const p of into) expect(isKnownField(p), p).toBe(true);
  });
  it(`keeps at most ${MAX_PRESENT_FIELDS} names`, () => {
    const headers: Record<string, string[]> = {};
    for (let i = 0; i < MAX_PRESENT_FIELDS + 500; i++) headers[`X-H${i}`] = ['v'];
    const into = new Set<string>();
    collectFields({ HTTP: { headers } }, into);
    expect(into.size).toBe(MAX_PRESENT_FIELDS);
  });
});
