// ClientHello decoding and JA4 against tshark. Debian's tshark 4.0 has no tls.handshake.ja4 field
// (that arrived in Wireshark 4.2), so the JA4 oracle is a second, independent implementation
// written here from the FoxIO JA4.md rules over tshark's own dissection (ciphersuite,
// extension.type, sig_hash_alg, supported_version, alpn_str, handshake.version); the core's
// parser is compared with the same tshark fields. The core is reached through a small entry
// (test/diff/ja4-entry.ts) compiled with asc into a temporary directory.
//
// Inputs: every ClientHello in ../shared/corpus/http/tls-sni.pcap (TLS over TCP) and in the
// tcpdump QUIC capture quic_retry.pcap (decrypted Initial packets, so tshark gives the handshake bytes), plus
// hellos wrapped into captures with text2pcap: RFC 8448 §3's ClientHello and the JA4.md example
// rebuilt with GREASE (whose fingerprint JA4.md publishes).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { REPO, SHARED, HAS_TSHARK } from './support.js';

const HAS_TEXT2PCAP = spawnSync('text2pcap', ['-h'], { encoding: 'utf8' }).status === 0;
const CAPTURES = [
  join(SHARED, 'corpus/http/tls-sni.pcap'),
  join(SHARED, 'corpus/tcpdump/quic_retry.pcap'),
];

// ───────────────────────── the core, through ja4-entry.ts ─────────────────────────

interface Core {
  memory: WebAssembly.Memory;
  inputPtr(): number; outputPtr(): number; parse(len: number): number; ja4Of(t: number): number;
  extErr(): number; sniPtr(): number; sniLen(): number; alpnN(): number; alpnPtr(i: number): number; alpnLen(i: number): number;
  cipherCount(): number; cipherN(): number; cipher(i: number): number; extN(): number; extType(i: number): number;
  sigAlgN(): number; sigAlg(i: number): number; versionN(): number; version(i: number): number; legacyVersion(): number;
}

interface Hello {
  err: number; ja4: string; sni: string | null; alpn: string[]; ciphers: number[]; exts: number[];
  sigAlgs: number[]; versions: number[]; legacy: number;
}

let dir = '';
let core: Core;

function decodeWithCore(msg: Uint8Array, transport: string): Hello {
  new Uint8Array(core.memory.buffer).set(msg, core.inputPtr());
  const err = core.parse(msg.length);
  const n = core.ja4Of(transport.charCodeAt(0));
  const bytes = (p: number, l: number) => Buffer.from(new Uint8Array(core.memory.buffer, p, l));
  const list = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  return {
    err,
    ja4: bytes(core.outputPtr(), n).toString('latin1'),
    sni: core.sniLen() > 0 ? bytes(core.sniPtr(), core.sniLen()).toString('latin1') : null,
    alpn: list(core.alpnN(), (i) => i).map((i) => bytes(core.alpnPtr(i), core.alpnLen(i)).toString('latin1')),
    ciphers: list(core.cipherN(), (i) => core.cipher(i)),
    exts: list(core.extN(), (i) => core.extType(i)),
    sigAlgs: list(core.sigAlgN(), (i) => core.sigAlg(i)),
    versions: list(core.versionN(), (i) => core.version(i)),
    legacy: core.legacyVersion(),
  };
}

// ───────────────────────── tshark's view ─────────────────────────

interface TsharkHello {
  frame: number; quic: boolean; bytes: Uint8Array; sni: string | null; alpn: string[]; ciphers: number[];
  exts: number[]; sigAlgs: number[]; versions: number[]; legacy: number;
}

const FIELDS = ['frame.number', 'frame.protocols', 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str',
  'tls.handshake.ciphersuite', 'tls.handshake.extension.type', 'tls.handshake.sig_hash_alg',
  'tls.handshake.extensions.supported_version', 'tls.handshake.version'];

/** Every `tls.handshake_raw` value under a JSON node (tshark -x gives [hex, offset, length, …]). */
function handshakeRaws(node: unknown, out: string[]): string[] {
  if (Array.isArray(node)) { for (const x of node) handshakeRaws(x, out); return out; }
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'tls.handshake_raw') {
        const vals = Array.isArray(v) && Array.isArray(v[0]) ? v : [v];
        for (const x of vals) if (Array.isArray(x) && typeof x[0] === 'string') out.push(x[0]);
      } else handshakeRaws(v, out);
    }
  }
  return out;
}

function tsharkHellos(file: string): TsharkHello[] {
  const filter = ['-Y', 'tls.handshake.type == 1'];
  const json = JSON.parse(execFileSync('tshark', ['-r', file, '-n', ...filter, '-T', 'json', '-x', '--no-duplicate-keys'],
    { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }).toString()) as { _source: { layers: Record<string, any> } }[];
  const raws = new Map<number, string>();
  for (const pkt of json) {
    const frame = Number(pkt._source.layers.frame?.['frame.number']);
    const hellos = handshakeRaws(pkt._source.layers, []).filter((h) => h.startsWith('01'));
    if (hellos.length === 1) raws.set(frame, hellos[0]!);
  }
  const rows = execFileSync('tshark', ['-r', file, '-n', ...filter, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a',
    '-E', 'aggregator=|', ...FIELDS.flatMap((f) => ['-e', f])], { stdio: ['ignore', 'pipe', 'ignore'] })
    .toString().split('\n').filter(Boolean).map((l) => l.split('\t'));
  const out: TsharkHello[] = [];
  for (const row of rows) {
    const v = (i: number) => (row[i] ? row[i]!.split('|') : []);
    const frame = Number(row[0]);
    const raw = raws.get(frame);
    if (!raw) continue;
    out.push({
      frame, quic: (row[1] ?? '').split(':').includes('quic'), bytes: Buffer.from(raw, 'hex'),
      sni: v(2)[0] ?? null, alpn: v(3), ciphers: v(4).map(Number), exts: v(5).map(Number), sigAlgs: v(6).map(Number),
      versions: v(7).map(Number), legacy: Number(v(8)[0]),
    });
  }
  return out;
}

// ───────────────────────── second JA4 implementation (JA4.md) ─────────────────────────

const isGrease = (v: number) => (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
const hex4 = (v: number) => v.toString(16).padStart(4, '0');
const hash12 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const two = (n: number) => String(Math.min(n, 99)).padStart(2, '0');
const VERSIONS: Record<number, string> = {
  0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2', 0xfeff: 'd1', 0xfefd: 'd2', 0xfefc: 'd3',
};
const alnum = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function ja4FromFields(transport: string, h: Omit<TsharkHello, 'frame' | 'quic' | 'bytes'>): string {
  const ciphers = h.ciphers.filter((v) => !isGrease(v));
  const exts = h.exts.filter((v) => !isGrease(v));
  const vers = h.versions.filter((v) => !isGrease(v));
  const version = exts.includes(43) && vers.length > 0 ? Math.max(...vers) : h.legacy;
  let alpn = '00';
  const first = Buffer.from(h.alpn[0] ?? '', 'latin1');
  if (first.length > 0) {
    const f = first[0]!, l = first[first.length - 1]!;
    alpn = alnum(f) && alnum(l) ? String.fromCharCode(f, l) : f.toString(16).padStart(2, '0')[0]! + l.toString(16).padStart(2, '0')[1]!;
  }
  const b = ciphers.length ? hash12([...ciphers].sort((x, y) => x - y).map(hex4).join(',')) : '000000000000';
  const sorted = exts.filter((e) => e !== 0x0000 && e !== 0x0010).sort((x, y) => x - y).map(hex4).join(',');
  const sigs = h.sigAlgs.filter((v) => !isGrease(v)).map(hex4).join(',');
  const c = sorted ? hash12(sigs ? `${sorted}_${sigs}` : sorted) : '000000000000';
  return `${transport}${VERSIONS[version] ?? '00'}${exts.includes(0) ? 'd' : 'i'}${two(ciphers.length)}${two(exts.length)}${alpn}_${b}_${c}`;
}

// ───────────────────────── hellos wrapped with text2pcap ─────────────────────────

const RFC8448_CLIENT_HELLO =
  '010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece700000613011303130201000091000000' +
  '0b0009000006736572766572ff01000100000a00140012001d0017001800190100010101020103010400230000003300260024001d00' +
  '2099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020001e0403050306030203' +
  '08040805080604010501060102010402050206020202002d00020101001c00024001';

const u16 = (n: number) => hex4(n);
const vec8 = (h: string) => (h.length / 2).toString(16).padStart(2, '0') + h;
const vec16 = (h: string) => u16(h.length / 2) + h;
const ext = (t: number, body: string) => u16(t) + vec16(body);
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');
function clientHello(ciphers: string, exts: string, version = '0303'): string {
  const body = version + '00'.repeat(32) + '00' + vec16(ciphers) + '0100' + vec16(exts);
  return '01' + (body.length / 2).toString(16).padStart(6, '0') + body;
}
// JA4.md's example hello with GREASE added in ciphers, extensions, groups and versions.
const SPEC_GREASE_HELLO = clientHello('2a2a' + '1301 1302 1303 c02b c02f c02c c030 cca9 cca8 c013 c014 009c 009d 002f 0035'.replaceAll(' ', ''),
  ext(0x0a0a, '') + ext(0x001b, '020002') + ext(0x0000, vec16('00' + vec16(ascii('example.com')))) +
  ext(0x0033, vec16('001d' + vec16('11'.repeat(32)))) + ext(0x0010, vec16(vec8(ascii('h2')) + vec8(ascii('http/1.1')))) +
  ext(0x4469, '0003026832') + ext(0x0017, '') + ext(0x002d, '0101') + ext(0x000d, vec16('0403080404010503080505010806' + '0601')) +
  ext(0x0005, '0100000000') + ext(0x0023, '') + ext(0x0012, '') + ext(0x002b, vec8('3a3a03040303')) + ext(0xff01, '00') +
  ext(0x000b, '0100') + ext(0x000a, vec16('4a4a001d00170018')) + ext(0x0015, '00'.repeat(16)) + ext(0xfafa, '00'));
// TLS 1.2 only, no SNI, ALPN http/1.1.
const TLS12_HELLO = clientHello('c02fc030009c00ff', ext(0x0010, vec16(vec8(ascii('http/1.1')))) + ext(0x000d, vec16('04010501')) +
  ext(0x000a, vec16('0017')) + ext(0x000b, '0100'));

const WRAPPED: { name: string; msg: string; ja4?: string }[] = [
  { name: 'RFC 8448 §3 ClientHello', msg: RFC8448_CLIENT_HELLO, ja4: 't13d030900_55b375c5d22e_59cd3dafc54d' },
  { name: 'JA4.md example with GREASE', msg: SPEC_GREASE_HELLO, ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1' },
  { name: 'TLS 1.2 hello without SNI', msg: TLS12_HELLO },
];

/** A one-packet capture of the hello in a TLS record, TCP 50000 → 443, made with text2pcap. */
function wrap(msg: string, name: string): string {
  const record = '160301' + u16(msg.length / 2) + msg;
  const bytes = Buffer.from(record, 'hex');
  let text = '';
  for (let off = 0; off < bytes.length; off += 16) {
    text += off.toString(16).padStart(6, '0') + ' ' + [...bytes.subarray(off, off + 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ') + '\n';
  }
  const txt = join(dir, `${name}.txt`), pcap = join(dir, `${name}.pcap`);
  writeFileSync(txt, text);
  execFileSync('text2pcap', ['-q', '-T', '50000,443', txt, pcap], { stdio: 'ignore' });
  return pcap;
}

// ───────────────────────── tests ─────────────────────────

function check(th: TsharkHello, label: string): string {
  const transport = th.quic ? 'q' : 't';
  const got = decodeWithCore(th.bytes, transport);
  expect(got.err, `${label}: WireErr`).toBe(0);
  expect(core.extErr(), `${label}: extErr`).toBe(0);
  expect(got.sni, `${label}: SNI`).toBe(th.sni);
  expect(got.alpn, `${label}: ALPN`).toEqual(th.alpn);
  expect(got.ciphers, `${label}: cipher suites`).toEqual(th.ciphers);
  expect(core.cipherCount(), `${label}: cipher count`).toBe(th.ciphers.length);
  expect(got.exts, `${label}: extension types`).toEqual(th.exts);
  expect(got.versions, `${label}: supported_versions`).toEqual(th.versions);
  expect(got.legacy, `${label}: legacy_version`).toBe(th.legacy);
  // tshark also lists sig_hash_alg for delegated_credentials (34) and signature_algorithms_cert (50).
  const sigsComparable = !th.exts.includes(34) && !th.exts.includes(50);
  if (sigsComparable) {
    expect(got.sigAlgs, `${label}: signature algorithms`).toEqual(th.sigAlgs);
    expect(got.ja4, `${label}: JA4 (core vs. second implementation)`).toBe(ja4FromFields(transport, th));
  }
  expect(got.ja4).toMatch(/^[tq](13|12|11|10|s3|s2|00)[di]\d{4}[0-9a-zA-Z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/);
  return got.ja4;
}

describe.skipIf(!HAS_TSHARK)('ClientHello and JA4 against tshark', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tracecap-ja4-'));
    const wasm = join(dir, 'ja4.wasm');
    execFileSync(join(REPO, 'node_modules/.bin/asc'), ['test/diff/ja4-entry.ts', '-O3', '--runtime', 'stub', '-o', wasm],
      { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm)), {
      env: { abort: () => { throw new Error('abort in ja4-entry'); } },
    });
    core = inst.exports as unknown as Core;
  });
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const file of CAPTURES) {
    it(file.replace(/.*\//, ''), () => {
      expect(existsSync(file)).toBe(true);
      const hellos = tsharkHellos(file);
      expect(hellos.length).toBeGreaterThan(0);
      const seen = new Set<string>();
      for (const h of hellos) seen.add(check(h, `${file.replace(/.*\//, '')} #${h.frame}`));
      if (file.endsWith('tls-sni.pcap')) {
        expect(hellos.length).toBe(6);
        expect(hellos.map((h) => h.sni)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `svc${i}.example.test`));
        expect([...seen]).toEqual(['t13d591000_a33745022dd6_1f22a2ca17c4']); // one client (OpenSSL, no ALPN), so one JA4
      }
    });
  }

  for (const w of WRAPPED) {
    it.skipIf(!HAS_TEXT2PCAP)(w.name, () => {
      const hellos = tsharkHellos(wrap(w.msg, w.name.replace(/\W+/g, '-')));
      expect(hellos.length).toBe(1);
      expect(Buffer.from(hellos[0]!.bytes).toString('hex')).toBe(w.msg);
      const got = check(hellos[0]!, w.name);
      if (w.ja4) expect(got).toBe(w.ja4);
    });
  }
});
