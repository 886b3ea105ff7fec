// Captures of every link type and link-level encapsulation issue 23 decodes, built byte by byte
// around DNS, a SYN and an HTTP request: for the tests against tshark and the robustness sweep.
import * as B from './build.js';
import type { TranslatorOptions } from '../../src/index.js';

/** The addresses of the built packets (IPv4 and IPv6). */
export const C4 = { src: '198.51.100.1', dst: '198.51.100.2' }, C6 = { src: '2001:db8::a', dst: '2001:db8::b' };
/** The network-layer packets every encapsulation carries: DNS over IPv4 and IPv6, a SYN, an HTTP request. */
export function packets(): { ip: Uint8Array; v6: boolean }[] {
  const dns = (id: number, v6: boolean) => {
    const a = v6 ? C6 : C4;
    const u = B.udp({ srcPort: 40000 + id, dstPort: 53, payload: B.dns({ id, questions: [{ name: `q${id}.example.org` }] }), ...a });
    return { ip: v6 ? B.ipv6({ ...a, nextHeader: 17, payload: u }) : B.ipv4({ ...a, proto: 17, payload: u }), v6 };
  };
  const tcp = (flags: string, payload: Uint8Array) => ({ ip: B.ipv4({ ...C4, proto: 6, payload: B.tcp({ srcPort: 41000, dstPort: 80, seq: flags === 'SYN' ? 123455 : 123456, ack: flags === 'SYN' ? 0 : 654321, flags, payload, ...C4 }) }), v6: false });
  return [dns(1, false), dns(2, true), tcp('SYN', new Uint8Array(0)), tcp('PSH|ACK', B.ascii('GET /x HTTP/1.1\r\nHost: h\r\n\r\n'))];
}

/** The outer frames' MAC addresses. */
export const MAC_A = '02:00:00:00:00:0a', MAC_B = '02:00:00:00:00:0b';
/** The EtherType of IPv4 or IPv6. */
export const et = (v6: boolean) => (v6 ? B.ETH.IPV6 : B.ETH.IPV4);
/** An Ethernet frame from MAC_A to MAC_B. */
export const eth = (type: number, payload: Uint8Array, vlans: number[] = [], outerTpid?: number) => B.ethernet({ dst: MAC_B, src: MAC_A, type, payload, vlans, outerTpid });
/** A PPPoE session header and PPP protocol carrying the packet. */
export const pppoe = (ip: Uint8Array, v6: boolean) => B.bytes(B.hex('1100 0011'), B.u16be(ip.length + 2), B.u16be(v6 ? 0x57 : 0x21), ip);
/** An MPLS label stack (TTL 64), bottom of stack on the last. */
export const labels = (...ls: number[]) => B.bytes(...ls.map((l, i) => B.u32be(((l << 12) | (i === ls.length - 1 ? 0x100 : 0) | 64) >>> 0)));
/** An LLC/SNAP header carrying the packet. */
export const snap = (ip: Uint8Array, v6: boolean) => B.bytes(B.hex('aaaa03 000000'), B.u16be(et(v6)), ip);
/** An inner Ethernet frame carrying the packet. */
export const inner = (ip: Uint8Array, v6: boolean, dst = '02:00:00:00:00:0c', src = '02:00:00:00:00:0d') => B.ethernet({ dst, src, type: et(v6), payload: ip });
/** 802.11 addresses of the built frames. */
export const A1 = '021111111111', A2 = '022222222222', A3 = '023333333333', A4 = '024444444444';
// 802.11 data frames: To DS / From DS as the packet's index says, QoS with +HTC for the third.
export function dot11(ip: Uint8Array, v6: boolean, i: number): Uint8Array {
  const hdr = [B.hex(`0801 0000 ${A1}${A2}${A3} 1000`), B.hex(`0802 0000 ${A1}${A2}${A3} 1000`),
    B.hex(`8883 0000 ${A1}${A2}${A3} 1000 ${A4} 0000 00000000`), B.hex(`0803 0000 ${A1}${A2}${A3} 1000 ${A4}`)][i % 4]!;
  return B.bytes(hdr, snap(ip, v6));
}

/** One link type or encapsulation: how each packet is wrapped, and what L2.encap lists. */
export interface Case {
  name: string; link: number; wrap: (ip: Uint8Array, v6: boolean, i: number) => Uint8Array; encap: string;
  /** What tshark decodes instead when it cannot read this link type: the same packets as another. */
  oracle?: { link: number; wrap: (ip: Uint8Array, v6: boolean, i: number) => Uint8Array };
  wlan?: boolean; options?: TranslatorOptions;
}
/** Every link type and link-level encapsulation issue 23 decodes, built around packets(). */
export const CASES: Case[] = [
  { name: 'PPPoE', link: 1, wrap: (ip, v6) => eth(0x8864, pppoe(ip, v6)), encap: 'pppoe,ppp' },
  { name: 'PPPoE in QinQ', link: 1, wrap: (ip, v6) => eth(0x8864, pppoe(ip, v6), [100, 200], 0x88a8), encap: 'pppoe,ppp' },
  { name: 'MPLS, two labels', link: 1, wrap: (ip) => eth(0x8847, B.bytes(labels(16, 17), ip)), encap: 'mpls' },
  { name: 'MPLS, explicit null', link: 1, wrap: (ip, v6) => eth(0x8847, B.bytes(labels(1000, v6 ? 2 : 0), ip)), encap: 'mpls' },
  { name: 'LLC/SNAP on 802.3', link: 1, wrap: (ip, v6) => { const p = snap(ip, v6); return eth(p.length, p); }, encap: 'llc_snap' },
  { name: 'PBB with a customer tag', link: 1, wrap: (ip, v6) => eth(0x88e7, B.bytes(B.hex('00012345'), B.ethernet({ dst: '02:00:00:00:00:0c', src: '02:00:00:00:00:0d', vlans: [300], type: et(v6), payload: ip })), [100], 0x88a8), encap: 'pbb,ethernet' },
  { name: 'VN-Tag', link: 1, wrap: (ip, v6) => eth(0x8926, B.bytes(B.hex('80010002'), B.u16be(et(v6)), ip)), encap: 'vntag' },
  { name: 'E-Tag', link: 1, wrap: (ip, v6) => eth(0x893f, B.bytes(B.hex('612314560000'), B.u16be(et(v6)), ip)), encap: 'etag' },
  // Cisco MetaData (TrustSec): version 1, length 1, the SGT option, tag 100, then the EtherType.
  { name: 'Cisco MetaData', link: 1, wrap: (ip, v6) => eth(0x8909, B.bytes(B.hex('01010001 0064'), B.u16be(et(v6)), ip)), encap: 'cmd' },
  { name: 'NSH', link: 1, wrap: (ip, v6) => eth(0x894f, B.bytes(B.hex(v6 ? '0fc20202' : '0fc20201'), B.hex('00000aff'), ip)), encap: 'nsh' },
  { name: 'NSH to Ethernet', link: 1, wrap: (ip, v6) => eth(0x894f, B.bytes(B.hex('0fc60103 00007b05'), new Uint8Array(16), inner(ip, v6))), encap: 'nsh,ethernet' },
  // tshark's cfp dissector takes the frame's last 4 bytes for an FCS: the frames have one (tracecap bounds the packet by the IP length).
  { name: 'FabricPath', link: 1, wrap: (ip, v6) => { const f = eth(0x8903, B.bytes(B.hex('0123'), inner(ip, v6))); return B.bytes(f, B.u32be(B.crc32(f))); }, encap: 'fabricpath,ethernet' },
  // tshark guesses whether a control word is there from the frame's addresses (pwethheuristic): these make it see one.
  { name: 'MPLS pseudowire (option)', link: 1, wrap: (ip, v6) => eth(0x8847, B.bytes(labels(125), B.hex('00000000'), inner(ip, v6, '52:9a:00:c8:4f:88', '52:9a:00:82:5c:62'))), encap: 'mpls,ethernet', options: { mplsPseudowire: 'ethernet' } },
  { name: 'PPP, HDLC-framed', link: 9, wrap: (ip, v6) => B.bytes(B.hex('ff03'), B.u16be(v6 ? 0x57 : 0x21), ip), encap: 'ppp' },
  { name: 'PPP, compressed protocol', link: 9, wrap: (ip, v6) => B.bytes(v6 ? 0x57 : 0x21, ip), encap: 'ppp' },
  { name: 'PPP to MPLS', link: 9, wrap: (ip) => B.bytes(B.hex('0281'), labels(100656), ip), encap: 'ppp,mpls' },
  { name: 'PPP in HDLC-like framing', link: 50, wrap: (ip, v6) => B.bytes(B.hex('ff03'), B.u16be(v6 ? 0x57 : 0x21), ip), encap: 'ppp' },
  { name: 'Cisco HDLC', link: 104, wrap: (ip, v6) => B.bytes(B.hex('0f00'), B.u16be(et(v6)), ip), encap: 'chdlc' },
  { name: 'NFLOG', link: 239, wrap: (ip, v6) => B.bytes(v6 ? 10 : 2, B.hex('00 0014 0800 0100 08000300'), (ip.length + 4) & 0xff, (ip.length + 4) >> 8, B.hex('0900'), ip, new Uint8Array((4 - (ip.length % 4)) % 4)), encap: 'nflog' },
  { name: '802.11 data frames', link: 105, wrap: dot11, encap: '802.11,llc_snap', wlan: true },
  { name: 'radiotap with FCS', link: 127, wrap: (ip, v6, i) => { const f = dot11(ip, v6, i); const c = B.crc32(f); return B.bytes(B.hex('00001100 03000000 0000000000000000 10'), f, c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24); }, encap: 'radiotap,802.11,llc_snap', wlan: true },
  { name: 'radiotap with data padding', link: 127, wrap: (ip, v6) => B.bytes(B.hex(`00000a00 02000000 20 00 8801 0000 ${A1}${A2}${A3} 1000 0000 0000`), snap(ip, v6)), encap: 'radiotap,802.11,llc_snap', wlan: true },
  { name: 'FDDI', link: 10, wrap: (ip, v6) => B.bytes(0x50, B.parseMac(MAC_B), B.parseMac(MAC_A), snap(ip, v6)), encap: 'fddi,llc_snap' },
  // Neither tshark 4.0 nor tcpdump 4.99 reads these link types: the same packets on one they read.
  { name: 'MPLS link type', link: 219, wrap: (ip) => B.bytes(labels(16, 17), ip), encap: 'mpls', oracle: { link: 1, wrap: (ip) => eth(0x8847, B.bytes(labels(16, 17), ip)) } },
  { name: 'PPP with direction', link: 204, wrap: (ip, v6, i) => B.bytes(i & 1, B.hex('ff03'), B.u16be(v6 ? 0x57 : 0x21), ip), encap: 'ppp', oracle: { link: 9, wrap: (ip, v6) => B.bytes(B.hex('ff03'), B.u16be(v6 ? 0x57 : 0x21), ip) } },
];

/** A pcap of packets() wrapped by wrap on link type link. */
export function capture(link: number, wrap: Case['wrap']): Uint8Array {
  return B.pcap(packets().map((p, i) => ({ data: wrap(p.ip, p.v6, i), ts: 1700000000 + i })), { linkType: link });
}

