// IP reassembly (ip/reassembly.ts through record/render.ts): the fragment that completes a
// datagram shows the datagram's transport and DNS, as tshark shows them in that frame; every
// fragment's record says where it belongs; a flood of unfinished fragments stays within the
// reassembler's bounds and later datagrams still reassemble; threads change nothing.
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createTranslator } from '../../src/index.js';
import { single, sharded, prng } from '../helpers/shards.js';
import * as B from '../helpers/build.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));

async function records(cap: Uint8Array, verbosity: 'info' | 'debug' = 'debug'): Promise<any[]> {
  const t = await createTranslator(wasm, { verbosity });
  const out = B.bytes(t.push(cap), t.finish());
  expect(t.error).toBeNull();
  return new TextDecoder().decode(out).split('\n').slice(0, -1).map((l) => JSON.parse(l));
}

// tshark's fields of each frame (reassembly on, its default).
function tshark(cap: Uint8Array, fields: string[]): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'tracecap-reasm-'));
  try {
    writeFileSync(join(dir, 'c.pcap'), cap);
    const out = execFileSync('tshark', ['-r', join(dir, 'c.pcap'), '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
    return out.split('\n').slice(0, -1).map((l) => l.split('\t'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

// A DNS answer too large for one packet: 60 A records (an EDNS answer over a 576-byte path).
const answer = B.dns({ id: 0x4242, questions: [{ name: 'big.example.', type: 'A' }],
  answers: Array.from({ length: 60 }, (_, i) => ({ name: 'big.example.', type: 'A' as const, ttl: 60, data: `10.1.${i >> 8}.${i & 255}` })) });

// The UDP datagram cut into IPv4 fragments of `size` payload bytes, in the order given.
function v4Fragments(udp: Uint8Array, size: number, id: number, order: number[], t0 = 100): B.PcapPacket[] {
  const parts: { off: number; data: Uint8Array; more: boolean }[] = [];
  for (let off = 0; off < udp.length; off += size) parts.push({ off, data: udp.subarray(off, off + size), more: off + size < udp.length });
  return order.map((k, i) => ({
    ts: { sec: t0, nsec: i * 1000 },
    data: B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ src: '10.0.0.53', dst: '10.0.0.9', proto: 17, id, flags: parts[k]!.more ? 'MF' : 0, fragOffset: parts[k]!.off / 8, payload: parts[k]!.data }) }),
  }));
}

describe('IP reassembly', () => {
  it('a fragmented DNS answer (IPv4, out of order) decodes on the fragment that completes it, as tshark shows it', async () => {
    const udp = B.udp({ srcPort: 53, dstPort: 40000, payload: answer, src: '10.0.0.53', dst: '10.0.0.9' });
    expect(udp.length).toBeGreaterThan(1000);
    const size = Math.ceil(udp.length / 3 / 8) * 8; // three fragments
    const cap = B.pcap(v4Fragments(udp, size, 0x77, [1, 0, 2]), { nano: true });
    const recs = await records(cap);
    const ts = tshark(cap, ['udp.srcport', 'udp.dstport', 'ip.reassembled.length', 'ip.fragment.count', 'dns.a']);
    expect(recs.map((r) => r.fragment.state)).toEqual(['held', 'held', 'reassembled']);
    expect(recs.map((r) => r.fragment.datagram)).toEqual([0, 0, 0]);
    expect(recs.map((r) => r.fragment.offset)).toEqual([size, 0, 2 * size]);
    const last = recs[2];
    expect(String(last.L4.src)).toBe(ts[2]![0]); expect(String(last.L4.dst)).toBe(ts[2]![1]);
    expect(String(last.fragment.length)).toBe(ts[2]![2]); expect(String(last.fragment.fragments)).toBe(ts[2]![3]);
    expect(last.DNS.answers.map((a: any) => a.A).join(',')).toBe(ts[2]![4]);
    // The fragments before have no transport, as tshark (which shows them as fragments only).
    expect(recs[0].L4).toBeUndefined(); expect(ts[0]![0]).toBe('');
  });

  it('an IPv6 UDP datagram in fragments equals tshark\'s reassembly', async () => {
    const payload = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 255);
    const udp = B.udp({ srcPort: 5000, dstPort: 6000, payload, src: 'fd00::1', dst: 'fd00::2' });
    const pkts: B.PcapPacket[] = [];
    for (let off = 0, i = 0; off < udp.length; off += 1232, i++) {
      const more = off + 1232 < udp.length;
      pkts.push({ ts: { sec: 100, nsec: i * 1000 }, data: B.ethernet({ type: B.ETH.IPV6, payload: B.ipv6({ src: 'fd00::1', dst: 'fd00::2', nextHeader: 17,
        extensions: [{ type: 44, data: B.ipv6FragData({ offset: off / 8, more, id: 0xabcdef }) }], payload: udp.subarray(off, off + 1232) }) }) });
    }
    const cap = B.pcap(pkts, { nano: true });
    const recs = await records(cap, 'info');
    const ts = tshark(cap, ['udp.srcport', 'udp.dstport', 'udp.length', 'ipv6.reassembled.length']);
    const last = recs[recs.length - 1];
    expect(last.fragment.state).toBe('reassembled');
    expect(String(last.L4.src)).toBe(ts[ts.length - 1]![0]);
    expect(String(last.L4.dst)).toBe(ts[ts.length - 1]![1]);
    expect(String(last.fragment.length)).toBe(ts[ts.length - 1]![3]);
    expect(last.L4.len).toBe(udp.length);
  });

  it('a flood of unfinished fragments stays within the bounds, and a datagram after it still reassembles', async () => {
    const pkts: B.PcapPacket[] = [];
    for (let i = 0; i < 20000; i++) pkts.push({ ts: { sec: 100, nsec: i }, data: B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ src: '10.9.0.1', dst: '10.0.0.9', proto: 17, id: i & 0xffff, flags: 'MF', fragOffset: 0, payload: new Uint8Array(64) }) }) });
    const udp = B.udp({ srcPort: 53, dstPort: 40000, payload: answer, src: '10.0.0.53', dst: '10.0.0.9' });
    pkts.push(...v4Fragments(udp, Math.ceil(udp.length / 3 / 8) * 8, 0x77, [0, 1, 2], 101));
    const cap = B.pcap(pkts, { nano: true });
    const t = await createTranslator(wasm, { verbosity: 'info' });
    const out = new TextDecoder().decode(B.bytes(t.push(cap), t.finish())).split('\n').slice(0, -1);
    expect(t.error).toBeNull();
    expect(out.length).toBe(20003);
    const last = JSON.parse(out[out.length - 1]!);
    expect(last.fragment.state).toBe('reassembled');
    expect(last.DNS.answers.length).toBe(60);
  });

  it('2 and 3 threads give the same bytes as 1 (every thread reassembles every fragment)', async () => {
    const udp = B.udp({ srcPort: 53, dstPort: 40000, payload: answer, src: '10.0.0.53', dst: '10.0.0.9' });
    const pkts: B.PcapPacket[] = [];
    for (let k = 0; k < 40; k++) pkts.push(...v4Fragments(udp, Math.ceil(udp.length / 3 / 8) * 8, k, k % 2 ? [2, 0, 1] : [0, 1, 2], 100 + k));
    const cap = B.pcap(pkts, { nano: true });
    const shared = new WebAssembly.Module(readFileSync('build/tracecap-shared.wasm'));
    for (const verbosity of ['info', 'debug'] as const) {
      const a = single(wasm, cap, { verbosity });
      for (const count of [2, 3]) {
        const b = sharded(shared, cap, { verbosity }, count, prng(7));
        expect(b.error).toBe(a.error);
        expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
      }
    }
  });
});
