// The robustness sweep over issue 23's decoders: tunnels (VXLAN, Geneve, GRE with key and
// sequence, ERSPAN II and III, GTP-U, Teredo, AYIYA, EtherIP, MPLS in IP and in UDP, IP in IP,
// 6in4, nested), IP fragments and ICMP errors' quotes — built here with an HTTP exchange or a
// DNS answer inside, and taken from tcpdump's corpus — mutated in their header bytes and cut
// short at random. Every mutation must translate at INFO and DEBUG without a trap, give one
// record per packet, and every record must be one valid JSON line.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTranslator } from '../../src/index.js';
import * as B from '../helpers/build.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'tcpdump');
// Rounds of mutation per capture: the suite's, or more for a longer sweep (TRACECAP_FUZZ_ROUNDS=500).
const ROUNDS = Number(process.env.TRACECAP_FUZZ_ROUNDS ?? 12);
function rng(seed: number): () => number { return () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; }; }

// Translates cap; fails unless it gives `packets` records, each a JSON object on one line.
async function check(cap: Uint8Array, packets: number, what: string): Promise<any[]> {
  let records: any[] = [];
  for (const verbosity of ['info', 'debug'] as const) {
    const t = await createTranslator(wasm, { verbosity, project: 'p' });
    const text = new TextDecoder().decode(B.bytes(t.push(cap), t.finish()));
    expect(t.error, `${what} ${verbosity}`).toBeNull();
    const lines = text.split('\n');
    expect(lines.pop(), `${what} ${verbosity}: ends with a newline`).toBe('');
    expect(lines.length, `${what} ${verbosity}: one record per packet`).toBe(packets);
    lines.forEach((l, i) => {
      let v: unknown;
      try { v = JSON.parse(l); } catch (e) { throw new Error(`${what} ${verbosity} record ${i}: not JSON (${(e as Error).message}): ${l.slice(0, 300)}`); }
      expect(typeof v === 'object' && v !== null, `${what} ${verbosity} record ${i}`).toBe(true);
      if (verbosity === 'debug') records.push(v);
    });
  }
  return records;
}

// The classic pcap's packets (header fields and bytes), to mutate and write again.
function packetsOf(data: Uint8Array): { le: boolean; nano: boolean; link: number; pkts: { sec: number; sub: number; data: Uint8Array; orig: number }[] } | null {
  const v = new DataView(data.buffer, data.byteOffset, data.length);
  const m = v.getUint32(0, true);
  const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
  if (!le && m !== 0xd4c3b2a1 && m !== 0x4d3cb2a1) return null;
  const nano = m === 0xa1b23c4d || m === 0x4d3cb2a1;
  const pkts = [];
  for (let o = 24; o + 16 <= data.length;) {
    const incl = v.getUint32(o + 8, le);
    if (o + 16 + incl > data.length) break;
    pkts.push({ sec: v.getUint32(o, le), sub: v.getUint32(o + 4, le), data: data.slice(o + 16, o + 16 + incl), orig: v.getUint32(o + 12, le) });
    o += 16 + incl;
  }
  return { le, nano, link: v.getUint32(20, le) & 0x0fffffff, pkts };
}

// Flips bytes in the first `span` bytes of some packets (the headers) and cuts some short.
function mutate(src: ReturnType<typeof packetsOf> & object, r: () => number, span: number): Uint8Array {
  const out = src.pkts.map((p) => {
    const d = p.data.slice();
    if (d.length > 0 && r() % 2) for (let k = 1 + (r() % 3); k > 0; k--) d[r() % Math.min(d.length, span)] = r() % 4 === 0 ? [0, 0xff, 0x80, 0x7f][r() % 4]! : r() & 255;
    const cut = r() % 5 === 0 ? r() % (d.length + 1) : d.length;
    return { ts: { sec: p.sec, nsec: src.nano ? p.sub : p.sub * 1000 }, data: d, capLen: cut, origLen: Math.max(p.orig, d.length) };
  });
  return B.pcap(out, { nano: src.nano, linkType: src.link });
}

// ---- captures built here: each encapsulation around an HTTP exchange with a trace, and DNS ----
const TP = 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
function exchange(): { fc: boolean; ip: Uint8Array }[] {
  let cs = 1000, ss = 5000;
  const seg = (fc: boolean, flags: string, payload = new Uint8Array(0)) => {
    const tcp = B.tcp({ srcPort: fc ? 40000 : 80, dstPort: fc ? 80 : 40000, seq: fc ? cs : ss, ack: flags.includes('ACK') ? (fc ? ss : cs) : 0, flags, payload, src: fc ? '10.1.0.1' : '10.1.0.2', dst: fc ? '10.1.0.2' : '10.1.0.1' });
    const n = payload.length + (flags.includes('SYN') || flags.includes('FIN') ? 1 : 0);
    if (fc) cs += n; else ss += n;
    return { fc, ip: B.ipv4({ src: fc ? '10.1.0.1' : '10.1.0.2', dst: fc ? '10.1.0.2' : '10.1.0.1', proto: 6, payload: tcp }) };
  };
  return [seg(true, 'SYN'), seg(false, 'SYN,ACK'), seg(true, 'ACK'),
    seg(true, 'PSH,ACK', B.ascii(`GET /x HTTP/1.1\r\nHost: svc\r\n${TP}\r\n\r\n`)),
    seg(false, 'PSH,ACK', B.ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')), seg(true, 'FIN,ACK'), seg(false, 'FIN,ACK'), seg(true, 'ACK')];
}
const dnsAnswer = () => B.ipv4({ src: '10.1.0.53', dst: '10.1.0.1', proto: 17, payload: B.udp({ srcPort: 53, dstPort: 33000, src: '10.1.0.53', dst: '10.1.0.1', payload: B.dns({ id: 7, qr: true, questions: [{ name: 'svc.example', type: 'A' }], answers: [{ name: 'svc.example', type: 'A', ttl: 60, data: '10.1.0.2' }] }) }) });

const under = (fc: boolean) => (fc ? { src: '192.0.2.1', dst: '192.0.2.2' } : { src: '192.0.2.2', dst: '192.0.2.1' });
const overIp = (proto: number, payload: Uint8Array, fc: boolean) => B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ ...under(fc), proto, payload }) });
const overUdp = (port: number, payload: Uint8Array, fc: boolean) => overIp(17, B.udp({ srcPort: 50000, dstPort: port, ...under(fc), payload }), fc);
const frame = (ip: Uint8Array) => B.ethernet({ type: B.ETH.IPV4, payload: ip });
const ip6In = (ip4: Uint8Array) => B.ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 4, payload: ip4 });
type Wrap = (ip: Uint8Array, fc: boolean) => Uint8Array;
const WRAPS: [string, Wrap][] = [
  ['vxlan', (ip, fc) => overUdp(4789, B.bytes(B.hex('08000000'), B.u32be(42 << 8), frame(ip)), fc)],
  ['geneve', (ip, fc) => overUdp(6081, B.bytes(B.hex('00006558'), B.u32be(7 << 8), frame(ip)), fc)],
  ['geneve with an option', (ip, fc) => overUdp(6081, B.bytes(B.hex('02006558'), B.u32be(7 << 8), B.hex('01020301 00000000'), frame(ip)), fc)],
  ['gre', (ip, fc) => overIp(47, B.bytes(B.hex('00000800'), ip), fc)],
  ['gre key and sequence', (ip, fc) => overIp(47, B.bytes(B.hex('30000800'), B.u32be(9), B.u32be(1), ip), fc)],
  ['gre ethernet', (ip, fc) => overIp(47, B.bytes(B.hex('00006558'), frame(ip)), fc)],
  ['erspan II', (ip, fc) => overIp(47, B.bytes(B.hex('100088be'), B.u32be(1), B.hex('10640005 00000000'), frame(ip)), fc)],
  ['erspan III', (ip, fc) => overIp(47, B.bytes(B.hex('100022eb'), B.u32be(1), B.hex('20640005 00000000 00000000'), frame(ip)), fc)],
  ['gtp-u', (ip, fc) => overUdp(2152, B.bytes(B.hex('30ff'), B.u16be(ip.length), B.u32be(0x1234), ip), fc)],
  ['etherip', (ip, fc) => overIp(97, B.bytes(B.hex('3000'), frame(ip)), fc)],
  ['mpls in ip', (ip, fc) => overIp(137, B.bytes(B.hex('00010140'), ip), fc)],
  ['mpls in udp', (ip, fc) => overUdp(6635, B.bytes(B.hex('00010040 00011140'), ip), fc)],
  ['ip in ip', (ip, fc) => overIp(4, ip, fc)],
  ['ipv4 in ipv6', (ip) => B.ethernet({ type: B.ETH.IPV6, payload: ip6In(ip) })],
  ['vxlan in gre', (ip, fc) => overIp(47, B.bytes(B.hex('00000800'), B.ipv4({ ...under(fc), proto: 17, payload: B.udp({ srcPort: 1, dstPort: 4789, ...under(fc), payload: B.bytes(B.hex('08000000'), B.u32be(1 << 8), frame(ip)) }) })), fc)],
];

// IPv6 inside Teredo and AYIYA (the inner packet is IPv6 there).
function ipv6Exchange(): Uint8Array[] {
  return exchange().map(({ ip }) => {
    const v = new DataView(ip.buffer, ip.byteOffset);
    const hl = (ip[0]! & 15) * 4;
    const payload = ip.slice(hl, v.getUint16(2));
    return B.ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 6, payload });
  });
}

// The fragments of an IP datagram (IPv4, 8-byte multiples; the last may be shorter).
function v4Fragments(ip: Uint8Array, size: number): Uint8Array[] {
  const hl = (ip[0]! & 15) * 4, body = ip.subarray(hl), out: Uint8Array[] = [];
  for (let off = 0; off < body.length; off += size) {
    const h = ip.slice(0, hl), part = body.subarray(off, off + size), more = off + size < body.length;
    const v = new DataView(h.buffer);
    v.setUint16(2, hl + part.length); v.setUint16(4, 77); v.setUint16(6, (more ? 0x2000 : 0) | (off >> 3)); v.setUint16(10, 0);
    v.setUint16(10, B.inetChecksum(h));
    out.push(frame(B.bytes(h, part)));
  }
  return out;
}

function built(): [string, Uint8Array[]][] {
  const sets: [string, Uint8Array[]][] = WRAPS.map(([name, wrap]) => [name, [...exchange().map(({ fc, ip }) => wrap(ip, fc)), wrap(dnsAnswer(), false)]]);
  sets.push(['teredo', ipv6Exchange().map((ip) => overUdp(3544, ip, true))]);
  sets.push(['ayiya', ipv6Exchange().map((ip) => overUdp(5072, B.bytes(B.hex('41521129'), B.u32be(1600000000), B.hex('20010db8000000000000000000000001'), new Uint8Array(20), ip), true))]);
  sets.push(['ipv6 in ipv4 (6in4)', ipv6Exchange().map((ip) => overIp(41, ip, true))]);
  // A DNS answer in fragments, and an HTTP request split into fragments.
  const big = B.ipv4({ src: '10.1.0.53', dst: '10.1.0.1', proto: 17, payload: B.udp({ srcPort: 53, dstPort: 33000, src: '10.1.0.53', dst: '10.1.0.1', payload: B.dns({ id: 9, qr: true, questions: [{ name: 'a.example', type: 'TXT' }], answers: Array.from({ length: 6 }, () => ({ name: 'a.example', type: 'TXT' as const, ttl: 1, data: 'x'.repeat(200) })) }) }) });
  sets.push(['ipv4 fragments', [...v4Fragments(big, 400), ...v4Fragments(exchange()[3]!.ip, 24)]]);
  // ICMP errors quoting a DNS query and a TCP segment.
  const quoted = dnsAnswer();
  sets.push(['icmp errors', [frame(B.ipv4({ src: '10.1.0.9', dst: '10.1.0.53', proto: 1, payload: B.icmp4({ type: 3, code: 3, rest: B.u32be(0), payload: quoted }) })),
    frame(B.ipv4({ src: '10.1.0.9', dst: '10.1.0.1', proto: 1, payload: B.icmp4({ type: 11, code: 0, rest: B.u32be(0), payload: exchange()[3]!.ip.subarray(0, 48) }) }))]]);
  return sets;
}

describe('mutated tunnels, fragments and ICMP quotes (never a trap, never an invalid line)', () => {
  it(`each built encapsulation, ${ROUNDS} mutations each`, async () => {
    const r = rng(23);
    const sets = built();
    expect(sets.length).toBe(WRAPS.length + 5);
    for (const [name, pkts] of sets) {
      const cap = B.pcap(pkts.map((data, i) => ({ data, ts: { sec: 100, nsec: i * 1000 } })), { nano: true });
      // As built, the decoders see what they are meant to: the tunnel, the fragments, the quote.
      const recs = await check(cap, pkts.length, `${name} (as built)`);
      const want = name === 'ipv4 fragments' ? (r: any) => r.fragment?.state === 'reassembled' : name === 'icmp errors' ? (r: any) => r.ICMP?.IPv4?.L4 !== undefined
        : (r: any) => r.tunnel?.inner?.L4 !== undefined;
      expect(recs.filter(want).length, name).toBeGreaterThan(0);
      if (WRAPS.some(([n]) => n === name)) expect(recs.find((r) => r.HTTP?.code === 200)?.['logging.googleapis.com/trace'], name).toBe('projects/p/traces/0af7651916cd43dd8448eb211c80319c');
      const src = packetsOf(cap)!;
      for (let round = 0; round < ROUNDS; round++) await check(mutate(src, r, 160), pkts.length, `${name} mutation ${round}`);
    }
  });
  // tcpdump's captures with tunnels, fragments and ICMP errors quoting a transport header.
  const files = ['afs.pcap', 'bigtcp-ipv4-geneve-ipv6.pcap', 'erspan-type-i-3.pcap', 'erspan-type-iii-pb-1.pcap', 'gso-ipv4-vxlan-ipv6.pcap', 'gso-ipv6-geneve-ipv4.pcap',
    'icmp-cksum-oobr-1.pcap', 'ios_nhrp.pcap', 'ipv6-srh-ext-header.pcap', 'isis-infinite-loop.pcap', 'mpls-over-udp.pcap', 'various_gre.pcap', 'vxlan.pcap',
    'wccp_redirect_gre.pcap', 'esp_truncated.pcap', 'isakmp-ikev1_n_print-oobr.pcap'];
  it(`${files.length} corpus captures, ${Math.ceil(ROUNDS / 3)} mutations each`, async () => {
    const r = rng(29);
    for (const f of files) {
      const path = join(CORPUS, f);
      expect(existsSync(path), f).toBe(true);
      const src = packetsOf(new Uint8Array(readFileSync(path)));
      expect(src, `${f} is a classic pcap`).not.toBeNull();
      for (let round = 0; round < Math.ceil(ROUNDS / 3); round++) await check(mutate(src!, r, 200), src!.pkts.length, `${f} mutation ${round}`);
    }
  });
});
