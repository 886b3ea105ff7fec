// Random bytes through the whole decode and analysis path at DEBUG must never trap the core:
// random TCP payloads (sometimes starting like HTTP/1, HTTP/2 or TLS) on a few connections with
// random sequence jumps, random link types, and random mutations of real captures.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTranslator, type TranslatorOptions } from '../../src/index.js';
import * as B from '../helpers/build.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
function rng(seed: number): () => number { return () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; }; }

const PREFIXES = ['GET / HTTP/1.1\r\nHost: x\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', '\x16\x03\x01\x00\x50\x01\x00\x00\x4c\x03\x03',
  'POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n', '\x00\x00\x12\x01\x05\x00\x00\x00\x01', 'X-Cloud-Trace-Context: 0123456789abcdef0123456789abcdef/1;o=1\r\n'];

async function translate(cap: Uint8Array, o: TranslatorOptions = {}): Promise<number> {
  const t = await createTranslator(wasm, { project: 'p', ...o });
  const out = B.bytes(t.push(cap), t.finish());
  let n = 0; for (const c of out) if (c === 10) n++;
  return n;
}

describe('fuzz (never a trap)', () => {
  it('random TCP payloads on a few connections at DEBUG', async () => {
    const r = rng(7);
    for (let round = 0; round < 20; round++) {
      const packets: B.PcapPacket[] = [];
      const seqs = [1000, 2000, 3000, 4000, 5000, 6000];
      for (let i = 0; i < 300; i++) {
        const c = r() % 3, dir = r() % 2;
        const len = r() % 200;
        let payload: Uint8Array = new Uint8Array(len).map(() => r() & 255);
        if (r() % 3 === 0) payload = B.bytes(B.ascii(PREFIXES[r() % PREFIXES.length]!), payload);
        const k = c * 2 + dir;
        if (r() % 10 === 0) seqs[k] = (seqs[k]! + (r() % 5000) - 2500) >>> 0;
        const flags = [0x18, 0x10, 0x02, 0x12, 0x11, 0x04, 0x19][r() % 7]!;
        const cport = 40000 + c, sport = [80, 443, 8080][c]!;
        const tcp = B.tcp({ srcPort: dir ? sport : cport, dstPort: dir ? cport : sport, seq: seqs[k], ack: seqs[k ^ 1], flags, payload, src: '10.0.0.1', dst: '10.0.0.2' });
        seqs[k] = (seqs[k]! + payload.length) >>> 0;
        packets.push({ data: B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ src: dir ? '10.0.0.2' : '10.0.0.1', dst: dir ? '10.0.0.1' : '10.0.0.2', proto: 6, payload: tcp }) }), ts: { sec: 1700000000 + i * (r() % 3), nsec: 0 } });
      }
      expect(await translate(B.pcap(packets, { nano: true }))).toBe(300);
    }
  });
  it('random link types and random bytes as packets', async () => {
    const r = rng(11);
    for (const lt of [0, 1, 9, 10, 50, 101, 104, 105, 108, 113, 127, 204, 219, 228, 229, 239, 276, 147]) {
      const packets = Array.from({ length: 300 }, () => new Uint8Array(r() % 120).map(() => r() & 255));
      expect(await translate(B.pcap(packets, { linkType: lt }))).toBe(300);
      // on `any` (the default name of a classic pcap) with an OS interface table to look up
      const osInterfaces = [{ index: 1, name: 'lo', addrs: ['127.0.0.1', '::1'] }, { index: 2, name: 'eth0', addrs: ['10.0.0.2', '::ffff:10.0.0.3'] }];
      expect(await translate(B.pcap(packets, { linkType: lt }), { osInterfaces })).toBe(300);
    }
  });
  it('random bytes behind each link-level encapsulation\'s EtherType (the link walk, wire/link.ts)', async () => {
    const r = rng(17);
    // PPPoE session, MPLS, PBB, FabricPath, VN-Tag, E-Tag, NSH, and an 802.3 length before SNAP.
    for (const prefix of ['8864 1100', '8847', '88e7', '8903', '8926', '893f', '894f 00', '0040 aaaa03 000000', '88a8 0064 8864']) {
      const packets = Array.from({ length: 300 }, () => B.bytes(B.hex('020000000002 020000000001'), B.hex(prefix), new Uint8Array(r() % 120).map(() => r() & 255)));
      for (const mplsPseudowire of ['none', 'ethernet'] as const) expect(await translate(B.pcap(packets), { mplsPseudowire })).toBe(300);
    }
  });
  it('mutated real captures (bytes flipped inside packets, framing kept)', async () => {
    const r = rng(13);
    for (const f of ['h2c-mtu1500.pcap', 'h1-keepalive-mtu1500.pcap', 'tls-sni.pcap']) {
      const data = new Uint8Array(readFileSync(new URL(`../../../shared/corpus/http/${f}`, import.meta.url)));
      const expected = await translate(data);
      for (let round = 0; round < 3; round++) {
        const m = data.slice();
        // flip bytes only inside packet data so the capture framing stays valid
        let off = 24;
        while (off + 16 <= m.length) {
          const cap = m[off + 8]! | (m[off + 9]! << 8) | (m[off + 10]! << 16);
          for (let k = 0; k < 3; k++) if (cap > 60 && r() % 2) m[off + 16 + 54 + (r() % (cap - 54))] = r() & 255;
          off += 16 + cap;
        }
        expect(await translate(m)).toBe(expected);
      }
    }
  });
});
