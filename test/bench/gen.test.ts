// bench/gen.js's HTTP/2 against an independent HPACK decoder: tshark (Wireshark's HTTP/2
// dissector, nghttp2's inflater) decodes every HEADERS frame of a generated capture, and each
// must carry exactly the fields the generator meant (its onMessage ground truth), in order:
// every request's :method/:path/:authority/trace header, every response's :status/content-type,
// and the rest. A block that the encoder got wrong, or a dynamic table that drifted from the
// decoder's (indices, eviction), shows as a different field or none. The HTTP/1.1 heads of the
// ground truth are checked against tshark's HTTP dissector by packet number, and the truth file
// (what bench/decode-check.js reads) against what onMessage saw.
// BENCH_GEN_TEST_BYTES sets the capture's size (default 4 MB: ~450 connections, ~2,600
// HTTP/2 header blocks, 3 s); 40 MB (~4,400 connections, ~26,000 blocks) takes about 16 s.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, readTruth, truthPath, KIND, GEN_VERSION } from '../../bench/gen.js';

const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const BYTES = Number(process.env.BENCH_GEN_TEST_BYTES ?? 4e6);

type Message = { packet: number; kind: string; conn: number; stream?: number; headers?: [string, string][] };

let dir: string;
let capture: string;
const messages: Message[] = [];
let gen: ReturnType<typeof generate>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tracecap-gen-'));
  capture = join(dir, 'http.pcap');
  gen = generate('http', capture, BYTES, { onMessage: (m: Message) => messages.push(m), truth: truthPath(capture) });
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** tshark -T json with some fields (-e), one object per packet the filter keeps. */
function tsharkFields(args: string[], fields: string[]): Record<string, string[]>[] {
  const r = spawnSync('tshark', ['-r', capture, ...args, '-T', 'json', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 30 });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { _source: { layers: Record<string, string[]> } }[]).map((p) => p._source.layers);
}

describe.skipIf(!hasTshark)('bench/gen.js against tshark', () => {
  it('every HTTP/2 HEADERS frame decodes to exactly the fields the generator meant', () => {
    const want = new Map(messages.filter((m) => m.kind.startsWith('h2')).map((m) => [m.packet + 1, m]));
    expect(want.size).toBeGreaterThan(1000);
    const got = tsharkFields(['-Y', 'http2.type == 1', '-d', 'tcp.port==8080,http2'],
      ['frame.number', 'http2.streamid', 'http2.header.name', 'http2.header.value', 'http2.header.repr']);
    const bad: string[] = [];
    const reprs = new Map<string, number>();
    let fields = 0;
    for (const p of got) {
      const num = Number(p['frame.number']![0]);
      const m = want.get(num);
      if (!m) { bad.push(`frame ${num}: a HEADERS frame the generator did not write`); continue; }
      want.delete(num);
      const names = p['http2.header.name'] ?? [], values = p['http2.header.value'] ?? [];
      const decoded = names.map((n, i) => `${n}: ${values[i] ?? '(none)'}`).join('\n');
      const meant = m.headers!.map(([n, v]) => `${n}: ${v}`).join('\n');
      if (decoded !== meant) bad.push(`frame ${num} (${m.kind}, connection ${m.conn}, stream ${m.stream}):\n${decoded}\n  meant:\n${meant}`);
      if (!p['http2.streamid']!.every((s) => Number(s) === m.stream)) bad.push(`frame ${num}: stream ${p['http2.streamid']} meant ${m.stream}`);
      fields += names.length;
      for (const r of p['http2.header.repr'] ?? []) reprs.set(r, (reprs.get(r) ?? 0) + 1);
    }
    for (const [num, m] of want) bad.push(`frame ${num} (${m.kind}, connection ${m.conn}, stream ${m.stream}): no HEADERS frame decoded`);
    expect(bad.slice(0, 5)).toEqual([]);
    expect(fields).toBe(gen.hpack.fields);
    // The encoder's choices, as tshark names them (RFC 7541 §6.1, §6.2.1): indexed fields and
    // literals with incremental indexing only, as its own counts say.
    expect(Object.fromEntries(reprs)).toEqual({
      'Indexed Header Field': gen.hpack.indexed,
      'Literal Header Field with Incremental Indexing - Indexed Name': expect.any(Number),
      'Literal Header Field with Incremental Indexing - New Name': expect.any(Number),
    });
    expect(gen.hpack.literals).toBe(fields - gen.hpack.indexed);
    // The capture exercises what real traffic does: Huffman strings, dynamic indices, evictions.
    expect(gen.hpack.huffman).toBeGreaterThan(gen.hpack.raw);
    expect(gen.hpack.evicted).toBeGreaterThan(0);
  });

  it('the HTTP/1.1 heads are where the ground truth says', () => {
    const got = tsharkFields(['-Y', 'http.request || http.response'], ['frame.number', 'http.request', 'http.response']);
    const seen = got.map((p) => `${Number(p['frame.number']![0]) - 1} ${p['http.request'] ? 'h1 request' : 'h1 response'}`);
    const meant = messages.filter((m) => m.kind.startsWith('h1')).map((m) => `${m.packet} ${m.kind}`);
    expect(seen.length).toBe(meant.length);
    expect(seen).toEqual(meant);
  });

  it('the truth file holds every message head onMessage saw', () => {
    const t = readTruth(truthPath(capture))!;
    expect(t.version).toBe(GEN_VERSION);
    expect(t.packets).toBe(gen.packets);
    const names = Object.fromEntries(Object.entries(KIND).map(([k, v]) => [v, k.toLowerCase().replace('_', ' ')]));
    expect([...t.entries].map((e) => `${Math.floor(e / 4)} ${names[e % 4]}`)).toEqual(messages.map((m) => `${m.packet} ${m.kind}`));
    const m = gen.messages;
    expect([m.h1Requests, m.h1Responses, m.h2Requests, m.h2Responses]).toEqual([0, 1, 2, 3].map((k) => messages.filter((x) => x.kind === names[k]).length));
  });
});
