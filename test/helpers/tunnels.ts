// Captures of every tunnel kind issue 23 decodes, built byte by byte around an HTTP exchange with
// a trace (or a DNS answer): for the tunnel tests against tshark and the robustness sweep.
import * as B from './build.js';
import { exchangePackets } from './conversation.js';
import { dot11 } from './links.js';

/** The trace id of the exchange's request (a W3C traceparent header). */
export const TRACE = '0af7651916cd43dd8448eb211c80319c';

/** The traced HTTP/1.1 exchange of test/helpers/conversation.ts (10.1.0.1:40000 → 10.1.0.2:80), as IPv4 packets. */
export function exchange(): { fc: boolean; ip: Uint8Array }[] {
  return exchangePackets('/x').map(({ fromClient, ip }) => ({ fc: fromClient, ip }));
}
/** A DNS answer from 10.1.0.53 as an IPv4 packet. */
export const dnsAnswer = (): Uint8Array => B.ipv4({ src: '10.1.0.53', dst: '10.1.0.1', proto: 17, payload: B.udp({ srcPort: 53, dstPort: 33000, src: '10.1.0.53', dst: '10.1.0.1', payload: B.dns({ id: 7, qr: true, questions: [{ name: 'svc.example', type: 'A' }], answers: [{ name: 'svc.example', type: 'A', ttl: 60, data: '10.1.0.2' }] }) }) });

const under = (fc: boolean) => (fc ? { src: '192.0.2.1', dst: '192.0.2.2' } : { src: '192.0.2.2', dst: '192.0.2.1' });
const overIp = (proto: number, payload: Uint8Array, fc: boolean) => B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ ...under(fc), proto, payload }) });
const overUdp = (port: number, payload: Uint8Array, fc: boolean) => overIp(17, B.udp({ srcPort: 50000, dstPort: port, ...under(fc), payload }), fc);
const frame = (ip: Uint8Array) => B.ethernet({ type: B.ETH.IPV4, payload: ip });
const ip6In = (ip4: Uint8Array) => B.ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 4, payload: ip4 });
/** Puts an inner IPv4 packet (fc: sent by the client) into an outer frame. */
export type Wrap = (ip: Uint8Array, fc: boolean) => Uint8Array;
/** Each tunnel kind taking an IPv4 packet, by name. */
export const WRAPS: [string, Wrap][] = [
  ['vxlan', (ip, fc) => overUdp(4789, B.bytes(B.hex('08000000'), B.u32be(42 << 8), frame(ip)), fc)],
  ['geneve', (ip, fc) => overUdp(6081, B.bytes(B.hex('00006558'), B.u32be(7 << 8), frame(ip)), fc)],
  ['geneve with an option', (ip, fc) => overUdp(6081, B.bytes(B.hex('02006558'), B.u32be(7 << 8), B.hex('01020301 00000000'), frame(ip)), fc)],
  ['gre', (ip, fc) => overIp(47, B.bytes(B.hex('00000800'), ip), fc)],
  ['gre key and sequence', (ip, fc) => overIp(47, B.bytes(B.hex('30000800'), B.u32be(9), B.u32be(1), ip), fc)],
  ['gre ethernet', (ip, fc) => overIp(47, B.bytes(B.hex('00006558'), frame(ip)), fc)],
  ['erspan II', (ip, fc) => overIp(47, B.bytes(B.hex('100088be'), B.u32be(1), B.hex('10640005 00000000'), frame(ip)), fc)],
  ['erspan III', (ip, fc) => overIp(47, B.bytes(B.hex('100022eb'), B.u32be(1), B.hex('20640005 00000000 00000000'), frame(ip)), fc)],
  ['gtp-u', (ip, fc) => overUdp(2152, B.bytes(B.hex('30ff'), B.u16be(ip.length), B.u32be(0x1234), ip), fc)],
  // PPTP's enhanced GRE (RFC 2637 §4.1: key = payload length and call id, sequence) carrying PPP (address, control, IPv4).
  ['gre ppp (pptp)', (ip, fc) => overIp(47, B.bytes(B.hex('3001880b'), B.u16be(ip.length + 4), B.u16be(5), B.u32be(1), B.hex('ff030021'), ip), fc)],
  // Aruba's GRE (protocol 0x8200): the client's 802.11 data frame (To DS), LLC/SNAP, IPv4.
  ['gre aruba (802.11)', (ip, fc) => overIp(47, B.bytes(B.hex('00008200'), dot11(ip, false, 0)), fc)],
  // Cisco MetaData in GRE (0x8909): the EtherType first, then version, length, option and tag 40.
  ['gre cisco metadata', (ip, fc) => overIp(47, B.bytes(B.hex('20008909'), B.u32be(40), B.hex('0800 01010001 0028'), ip), fc)],
  ['gre mpls', (ip, fc) => overIp(47, B.bytes(B.hex('00008847'), B.hex('00011140'), ip), fc)],
  ['etherip', (ip, fc) => overIp(97, B.bytes(B.hex('3000'), frame(ip)), fc)],
  ['mpls in ip', (ip, fc) => overIp(137, B.bytes(B.hex('00010140'), ip), fc)],
  ['mpls in udp', (ip, fc) => overUdp(6635, B.bytes(B.hex('00010040 00011140'), ip), fc)],
  ['ip in ip', (ip, fc) => overIp(4, ip, fc)],
  ['ipv4 in ipv6', (ip) => B.ethernet({ type: B.ETH.IPV6, payload: ip6In(ip) })],
  ['vxlan in gre', (ip, fc) => overIp(47, B.bytes(B.hex('00000800'), B.ipv4({ ...under(fc), proto: 17, payload: B.udp({ srcPort: 1, dstPort: 4789, ...under(fc), payload: B.bytes(B.hex('08000000'), B.u32be(1 << 8), frame(ip)) }) })), fc)],
];

/** The exchange as IPv6 packets between 2001:db8::1 and 2001:db8::2 (Teredo, AYIYA, 6in4 carry IPv6). */
export function ipv6Exchange(): Uint8Array[] {
  return exchange().map(({ ip }) => {
    const v = new DataView(ip.buffer, ip.byteOffset);
    const hl = (ip[0]! & 15) * 4;
    const payload = ip.slice(hl, v.getUint16(2));
    return B.ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 6, payload });
  });
}

/** An IPv4 datagram's fragments of `size` payload bytes each (a multiple of 8), in Ethernet frames. */
export function v4Fragments(ip: Uint8Array, size: number): Uint8Array[] {
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

/** Every encapsulation's frames by name: WRAPS around the exchange and a DNS answer, Teredo, AYIYA, 6in4, fragments, ICMP errors. */
export function builtTunnels(): [string, Uint8Array[]][] {
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

