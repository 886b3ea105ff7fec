// The app's per-packet index (runtimes/browser/app/packets.ts) built from the core's entries,
// against the records themselves, on the corpus; its MAX_PACKETS limit; the record store's
// memory fallback and its MEMORY_STORE_LIMIT (store.ts; Node has no OPFS, so openStore falls back).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTranslator } from '../../../../src/index.js';
import { PacketIndex, CLASSES, MAX_PACKETS, tcpFlagText } from '../../../../runtimes/browser/app/packets.js';
import { openStore, MEMORY_STORE_LIMIT } from '../../../../runtimes/browser/app/store.js';
import * as B from '../../../helpers/build.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const CORPUS = join(ROOT, '..', 'shared', 'corpus', 'http');
const wasm = readFileSync(join(ROOT, 'build', 'tracecap.wasm'));

async function index(file: string, idx = new PacketIndex()) {
  const t = await createTranslator(wasm);
  let pending: Uint8Array | null = null, count = 0;
  const http: number[] = [];
  const out: Uint8Array[] = [];
  let error: unknown = null;
  t.setIndexSink((e, c) => { pending = e.slice(); count = c; });
  t.setSink((view) => {
    out.push(view.slice());
    try { idx.add(pending!, count, view, (pos) => http.push(pos)); } catch (err) { error ??= err; }
  });
  t.push(new Uint8Array(readFileSync(file)));
  t.finish();
  return { idx, ndjson: Buffer.concat(out), http, error };
}

describe('PacketIndex', () => {
  for (const name of readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort()) {
    it(`${name}: every column equals the record`, async () => {
      const { idx, ndjson, http } = await index(join(CORPUS, name));
      const lines = ndjson.toString('utf8').split('\n').slice(0, -1);
      expect(idx.count).toBe(lines.length);
      expect(idx.bytes).toBe(ndjson.length);
      for (let pos = 0; pos < idx.count; pos++) {
        const line = ndjson.subarray(idx.recOff.a[pos]!, idx.recOff.a[pos]! + idx.recLen.a[pos]! - 1).toString('utf8');
        expect(line).toBe(lines[pos]);
        const r = JSON.parse(line);
        expect(idx.serial.a[pos]).toBe(Number(r.pcap.num));
        expect(idx.time.a[pos]).toBeCloseTo(r.timestamp.seconds * 1000 + r.timestamp.nanos / 1e6, 3);
        if (r.L3) { expect(idx.addrs.values[idx.src.a[pos]!]).toBe(r.L3.src); expect(idx.addrs.values[idx.dst.a[pos]!]).toBe(r.L3.dst); }
        expect(idx.flows.values[idx.flow.a[pos]!] || undefined).toBe(r.flow);
        expect(idx.traces.values[idx.trace.a[pos]!] || undefined).toBe(r['logging.googleapis.com/trace']);
        expect(idx.error.a[pos]).toBe(r.severity === 'ERROR' ? 1 : 0);
        expect(CLASSES[idx.cls.a[pos]!] === 'HTTP').toBe(r.HTTP !== undefined);
        // The worker answers L4.flags.* from the flag byte for TCP with ports (worker.ts fromIndex).
        if (idx.proto.a[pos] === 6 && (idx.sport.a[pos] || idx.dport.a[pos])) {
          expect(tcpFlagText(idx.flags.a[pos]!)).toBe(r.L4.flags.str);
          expect(idx.flags.a[pos]).toBe(r.L4.flags.dec);
        }
      }
      expect(http.length).toBe(lines.filter((l) => l.startsWith('{"HTTP":')).length);
    });
  }

  it(`keeps the records up to its limit (MAX_PACKETS = ${MAX_PACKETS.toLocaleString('en')} by default) and says why it stopped`, async () => {
    const { idx, error } = await index(join(CORPUS, 'h1-keepalive-mtu1500.pcap'), new PacketIndex(300));
    expect(idx.count).toBe(300);
    expect(String(error)).toMatch(/more than 300 packets.*MAX_PACKETS.*first 300 are shown/);
    const whole = await index(join(CORPUS, 'h1-keepalive-mtu1500.pcap'));
    for (let pos = 0; pos < 300; pos++) expect(idx.recOff.a[pos]).toBe(whole.idx.recOff.a[pos]);
  });
});

it('tcpFlagText gives the core\'s L4.flags.str for all 256 flag bytes', async () => {
  const pkts = Array.from({ length: 256 }, (_, v) => B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', payload: B.tcp({ src: '10.0.0.1', dst: '10.0.0.2', flags: v }) }) }));
  const t = await createTranslator(wasm, { verbosity: 'info' });
  const text = new TextDecoder().decode(t.push(B.pcap(pkts))) + new TextDecoder().decode(t.finish());
  const recs = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  expect(recs.length).toBe(256);
  recs.forEach((r, v) => expect(tcpFlagText(v)).toBe(r.L4.flags.str));
});

describe('record store (memory fallback)', () => {
  it('appends, reads across chunks, exports ranges as a Blob', async () => {
    const s = await openStore();
    expect(s.kind).toBe('memory');
    const enc = new TextEncoder();
    s.append(enc.encode('{"a":1}\n')); s.append(enc.encode('{"b":2}\n{"c":3}\n'));
    expect(s.size).toBe(24);
    expect(new TextDecoder().decode(s.read(4, 10))).toBe(':1}\n{"b":2');
    expect(await (await s.blob()).text()).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
    expect(await (await s.blob([[0, 8], [16, 24]])).text()).toBe('{"a":1}\n{"c":3}\n');
    await s.close();
  });
  it(`refuses to pass its limit (MEMORY_STORE_LIMIT = ${MEMORY_STORE_LIMIT / 1048576} MiB by default) and keeps what came before`, async () => {
    const s = await openStore(16);
    s.append(new Uint8Array(10));
    expect(() => s.append(new Uint8Array(10))).toThrow(/MEMORY_STORE_LIMIT/);
    expect(s.size).toBe(10);
  });
});
