// Tunnels (record/tunnels.ts, json/tunnel.ts): the outer layers as before, a `tunnel` object with
// each encapsulation and the inner packet's layers — compared with tshark on other projects'
// captures of VXLAN, Geneve, GRE/ERSPAN and MPLS in UDP — and the DEBUG analysis on the inner
// traffic: an HTTP exchange inside VXLAN, IP in IP and GRE is paired and carries its trace, and
// the same inner connection in two tunnels stays two connections.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createTranslator } from '../../src/index.js';
import * as B from '../helpers/build.js';
import { single, sharded, prng } from '../helpers/shards.js';
import { builtTunnels } from '../helpers/tunnels.js';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { exchangePackets as innerExchange } from '../helpers/conversation.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'tcpdump');

async function records(cap: Uint8Array, verbosity: 'info' | 'debug' = 'debug'): Promise<any[]> {
  const t = await createTranslator(wasm, { verbosity, project: 'p' });
  const out = B.bytes(t.push(cap), t.finish());
  expect(t.error).toBeNull();
  return new TextDecoder().decode(out).split('\n').slice(0, -1).map((l) => JSON.parse(l));
}

describe('tunnels in other projects\' captures, against tshark', () => {
  // [file, tshark's extra arguments (8472 is Linux's VXLAN port, which tshark decodes only when told), the encapsulations]
  const files: [string, string[], string][] = [['vxlan.pcap', [], 'vxlan'], ['vxlan_port_8472.pcap', ['-d', 'udp.port==8472,vxlan'], 'vxlan'],
    ['gso-ipv4-geneve-ipv6.pcap', [], 'geneve'], ['gso-ipv6-geneve-ipv4.pcap', [], 'geneve'], ['gso-ipv4-vxlan-ipv4.pcap', [], 'vxlan'],
    ['gso-ipv6-vxlan-ipv6.pcap', [], 'vxlan'], ['mpls-over-udp.pcap', [], 'mpls_in_udp'], ['erspan-type-i-3.pcap', [], 'gre,erspan']];
  for (const [f, extra, encap] of files) {
    it(`${f}: outer and inner addresses and ports are tshark's`, async () => {
      const path = join(CORPUS, f);
      expect(existsSync(path)).toBe(true);
      const recs = await records(new Uint8Array(readFileSync(path)));
      const ts = execFileSync('tshark', ['-r', path, ...extra, '-T', 'fields', '-E', 'occurrence=a', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'udp.srcport'], { encoding: 'utf8' })
        .split('\n').slice(0, -1).map((l) => l.split('\t'));
      expect(recs.length).toBe(ts.length);
      let inner = 0;
      recs.forEach((r, i) => {
        const [ip4 = '', ip6 = '', tcp = '', udp = ''] = ts[i]!;
        const theirs = [...ip4.split(','), ...ip6.split(',')].filter(Boolean).sort();
        const ours = [r.L3?.src, r.tunnel?.inner?.L3?.src].filter((x) => x !== undefined).sort();
        expect(ours, `${f} #${i}`).toEqual(theirs);
        const theirPorts = [...tcp.split(','), ...udp.split(',')].filter(Boolean).map(Number).sort();
        const ourPorts = [r.L4?.src, r.tunnel?.inner?.L4?.src].filter((x) => x !== undefined).sort();
        expect(ourPorts, `${f} #${i} ports`).toEqual(theirPorts);
        if (r.tunnel?.inner) inner++;
      });
      expect(inner).toBeGreaterThan(0);
      expect(recs.find((r) => r.tunnel)!.tunnel.encap.map((e: any) => e.type).join(',')).toBe(encap);
    });
  }
});

// Every tunnel kind built byte by byte (test/helpers/tunnels.ts: GTP-U, Teredo and AYIYA have no
// capture in the corpus), each around an HTTP exchange and a DNS answer, against tshark.
describe('every tunnel kind built here, against tshark', () => {
  const sets = builtTunnels().filter(([name]) => name !== 'ipv4 fragments' && name !== 'icmp errors');
  it(`${sets.length} encapsulations: outer and inner addresses and ports are tshark's`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-tunnels-'));
    try {
      for (const [name, pkts] of sets) {
        const cap = B.pcap(pkts.map((data, i) => ({ data, ts: { sec: 100, nsec: i * 1000 } })), { nano: true });
        const path = join(dir, 'c.pcap');
        writeFileSync(path, cap);
        const recs = await records(cap);
        const ts = execFileSync('tshark', ['-r', path, '-T', 'fields', '-E', 'occurrence=a', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'udp.srcport', '-e', 'dns.a'], { encoding: 'utf8' })
          .split('\n').slice(0, -1).map((l) => l.split('\t'));
        expect(recs.length, name).toBe(ts.length);
        recs.forEach((r, i) => {
          const [ip4 = '', ip6 = '', tcp = '', udp = '', dnsA = ''] = ts[i]!;
          // tshark lists every IP header and port it decoded; ours are the outer and the innermost.
          const theirs = [...ip4.split(','), ...ip6.split(',')].filter(Boolean);
          const ours = [r.L3?.src, r.tunnel?.inner?.L3?.src].filter((x) => x !== undefined);
          expect(ours.every((a: string) => theirs.includes(a)), `${name} #${i}: ${ours} in ${theirs}`).toBe(true);
          // Nothing tshark decoded is missing but the IP headers between the outer and the innermost.
          expect(theirs.length, `${name} #${i}: ${theirs}`).toBeLessThanOrEqual(ours.length + r.tunnel.encap.length - 1);
          const theirPorts = [...tcp.split(','), ...udp.split(',')].filter(Boolean).map(Number);
          const innerPort = r.tunnel?.inner?.L4?.src;
          expect(innerPort === undefined || theirPorts.includes(innerPort), `${name} #${i} port ${innerPort} in ${theirPorts}`).toBe(true);
          if (dnsA) expect(r.tunnel.inner.DNS.answers?.[0]?.ip ?? JSON.stringify(r.tunnel.inner.DNS), `${name} #${i} DNS`).toContain(dnsA);
        });
        expect(recs.filter((r) => r.tunnel?.inner?.L4).length, name).toBe(recs.length);
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

// The same packets in a tunnel between two hosts of the underlay.
type Wrap = (inner: Uint8Array, fromClient: boolean) => Uint8Array;
const underlay = (fromClient: boolean) => (fromClient ? { src: '192.0.2.1', dst: '192.0.2.2' } : { src: '192.0.2.2', dst: '192.0.2.1' });
const vxlan = (vni: number): Wrap => (inner, fc) => {
  const frame = B.ethernet({ type: B.ETH.IPV4, payload: inner });
  const hdr = B.bytes(B.hex('08000000'), B.u32be(vni << 8));
  return B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ ...underlay(fc), proto: 17, payload: B.udp({ srcPort: 50000, dstPort: 4789, payload: B.bytes(hdr, frame), ...underlay(fc) }) }) });
};
const ipip: Wrap = (inner, fc) => B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ ...underlay(fc), proto: 4, payload: inner }) });
const greKey = (key: number): Wrap => (inner, fc) => B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ ...underlay(fc), proto: 47, payload: B.bytes(B.hex('20000800'), B.u32be(key), inner) }) });

function capture(wraps: Wrap[], path = '/x'): Uint8Array {
  const pkts: B.PcapPacket[] = [];
  let t = 0;
  for (const wrap of wraps) for (const p of innerExchange(path)) pkts.push({ ts: { sec: 100, nsec: (t++) * 1000000 }, data: wrap(p.ip, p.fromClient) });
  return B.pcap(pkts, { nano: true });
}

describe('the DEBUG analysis inside tunnels', () => {
  for (const [name, wrap] of [['VXLAN', vxlan(42)], ['IP in IP', ipip], ['GRE with a key', greKey(7)]] as const) {
    it(`${name}: the inner request and response are paired, with the request's trace`, async () => {
      const cap = capture([wrap]);
      const recs = await records(cap);
      const rq = recs[3], rs = recs[4];
      expect(rq.tunnel.encap.length).toBe(1);
      expect(rq.tunnel.inner.L3.src).toBe('10.1.0.1');
      expect(rq.tunnel.inner.L4.dst).toBe(80);
      expect(rq.HTTP.method).toBe('GET');
      expect(rs.HTTP.code).toBe(200);
      expect(rs.HTTP.request.url).toBe('svc/x');
      expect(rs['logging.googleapis.com/trace']).toBe('projects/p/traces/0af7651916cd43dd8448eb211c80319c');
      expect(recs[5]['logging.googleapis.com/trace']).toBe('projects/p/traces/0af7651916cd43dd8448eb211c80319c');
      // The outer layers are the underlay's.
      expect(rq.L3.src).toBe('192.0.2.1');
    });
  }

  it('the same inner connection in two VXLAN segments stays two connections', async () => {
    // Interleave two identical inner conversations in VNI 1 and VNI 2: each response pairs with its own request.
    const a = innerExchange('/in-vni-1'), b = innerExchange('/in-vni-2');
    const pkts: B.PcapPacket[] = [];
    for (let i = 0; i < a.length; i++) {
      pkts.push({ ts: { sec: 100, nsec: i * 2000000 }, data: vxlan(1)(a[i]!.ip, a[i]!.fromClient) });
      pkts.push({ ts: { sec: 100, nsec: i * 2000000 + 1000000 }, data: vxlan(2)(b[i]!.ip, b[i]!.fromClient) });
    }
    const recs = await records(B.pcap(pkts, { nano: true }));
    const responses = recs.filter((r) => r.HTTP?.code === 200);
    expect(responses.map((r) => [r.tunnel.encap[0].vni, r.HTTP.request.url])).toEqual([[1, 'svc/in-vni-1'], [2, 'svc/in-vni-2']]);
  });

  it('threads change nothing (a tunnel\'s TCP goes to its inner connection\'s thread)', async () => {
    const cap = capture([vxlan(42), ipip, greKey(7)]);
    for (const verbosity of ['info', 'debug'] as const) {
      const one = single(wasm, cap, { verbosity });
      for (const n of [2, 3]) expect(Buffer.from(sharded(wasm, cap, { verbosity }, n, prng(3)).bytes).equals(Buffer.from(one.bytes))).toBe(true);
    }
  });
});
