// The ICMP object of a record (ICMPv4 and ICMPv6 types, codes and embedded headers; reference
// §2.3.9–§2.3.10).

import { frag, w, b, lp, u32dec } from "./writer";
import { ip4 as fmtIp4, ip6 as fmtIp6 } from "./format";
import * as d from "../record/decode";
import { Transport } from "../record/decode";
import { be16, be32 } from "../util/mem";
import { icmp4TypeName, icmp4CodeName, icmp4HasCodeTable, icmp6TypeName, icmp6CodeName, icmp6HasCodeTable } from "../names";
import { comma, q } from "./emit";
import { K_DST_C, K_LBL_C } from "./l3";
import { K_XSUM } from "./tcp";

const K_ICMP = frag("\"ICMP\":{");
const K_ICMP_IPV4 = frag("\"IPv4\":{");
const K_DST_FIRST = frag("\"dst\":\"");
const K_QUOTED_L4 = frag("\"L4\":{\"dst\":");
const K_QUOTED_SRC = frag(",\"src\":");
const K_ICMP_ID_Q = frag("\",\"id\":");
const K_ICMP_PROTO = frag(",\"proto\":");
const K_ICMP_SRC = frag(",\"src\":\"");
const K_ICMP_TTL_Q = frag("\",\"ttl\":");
const K_ICMP_IPV6 = frag("\"IPv6\":{");
const K_DSF_FIRST = frag("\"dsf\":");
const K_ICMP_ECN = frag("\",\"ecn\":");
const K_ICMP_PROTO_Q = frag(",\"proto\":\"");
const K_ICMP_SRC_Q = frag("\",\"src\":\"");
const K_ICMP_V6 = frag(",\"v\":");
const K_CODE = frag("\"code\":");
const K_ID_C = frag(",\"id\":");
const K_MSG = frag(",\"msg\":\"");
const K_SEQ_N = frag(",\"seq\":");
const K_TGT = frag(",\"tgt\":\"");
export const K_TYPE_C = frag(",\"type\":");
const K_TYPE_QC = frag("\",\"type\":");
const K_CODE_PAREN = frag("(Code: ");
const K_TCP_NAME = frag("TCP");
const K_UDP_NAME = frag("UDP");
const K_ICMP_DST6 = frag(",\"dst\":\"");

/** Writes the ICMP message name (gopacket ICMPv4TypeCode / ICMPv6TypeCode String()). */
export function icmpMsg(): void {
  const t = d.icmp.type, c = d.icmp.code;
  const v6 = d.transport == Transport.ICMP6;
  const tn = v6 ? icmp6TypeName(t) : icmp4TypeName(t);
  if (tn == 0) { u32dec(t); b(0x28); u32dec(c); b(0x29); return; }
  lp(tn);
  const hasTable = v6 ? icmp6HasCodeTable(t) : icmp4HasCodeTable(t);
  if (hasTable) {
    const cn = v6 ? icmp6CodeName(t, c) : icmp4CodeName(t, c);
    if (cn != 0) { b(0x28); lp(cn); b(0x29); return; }
    w(K_CODE_PAREN); u32dec(c); b(0x29);
  } else if (c != 0) { w(K_CODE_PAREN); u32dec(c); b(0x29); }
}

// Embedded IPv4 header of an ICMPv4 error (RFC 792): needs the 20-byte header after the
// 8-byte ICMP header. Reports a decode problem instead when it is cut short.
function icmp4Embedded(): bool {
  const ic = d.icmp;
  if (ic.bodyLen < 20) return false;
  const p = ic.body;
  w(K_ICMP_IPV4);
  // The quoted transport's ports (RFC 792: the header and at least 64 bits of the datagram's data).
  const ihl = (<i32>load<u8>(p) & 15) << 2;
  quotedPorts(<u32>load<u8>(p + 9), ihl >= 20 ? p + <usize>ihl : 0, ic.bodyLen - ihl);
  w(K_DST_FIRST); fmtIp4(p + 16); w(K_ICMP_ID_Q); u32dec(be16(p + 4)); w(K_ICMP_PROTO); u32dec(<u32>load<u8>(p + 9));
  w(K_ICMP_SRC); fmtIp4(p + 12); w(K_ICMP_TTL_Q); u32dec(<u32>load<u8>(p + 8)); w(K_XSUM); u32dec(be16(p + 10));
  b(0x7d); comma();
  return true;
}

// "L4":{"dst","src"}, of the quoted TCP or UDP header (a key pcap-sidecar does not have), when its
// ports were quoted: which connection the error is about.
function quotedPorts(proto: u32, p: usize, n: i32): void {
  if ((proto != 6 && proto != 17) || p == 0 || n < 4) return;
  w(K_QUOTED_L4); u32dec(be16(p + 2)); w(K_QUOTED_SRC); u32dec(be16(p)); b(0x7d); comma();
}

// Invoking IPv6 header of an ICMPv6 error (RFC 4443 §3.1, §3.3), after 4 unused bytes.
function icmp6Embedded(dbg: bool): bool {
  const ic = d.icmp;
  if (ic.bodyLen < 44) return false;
  const p = ic.body + 4;
  const w0 = be32(p);
  const tc = (w0 >> 20) & 0xff;
  w(K_ICMP_IPV6);
  quotedPorts(<u32>load<u8>(p + 6), p + 40, ic.bodyLen - 44);
  w(K_DSF_FIRST); u32dec(tc >> 2); w(K_DST_C); fmtIp6(p + 24, false); w(K_ICMP_ECN); u32dec(tc & 3);
  w(K_LBL_C); u32dec(w0 & 0xfffff);
  if (dbg) {
    const nh = <u32>load<u8>(p + 6);
    if (nh == 6) { w(K_ICMP_PROTO_Q); w(K_TCP_NAME); q(); }
    else if (nh == 17) { w(K_ICMP_PROTO_Q); w(K_UDP_NAME); q(); }
    else { w(K_ICMP_PROTO); u32dec(nh); }
  }
  w(K_ICMP_SRC); fmtIp6(p + 8, false); w(K_ICMP_TTL_Q); u32dec(<u32>load<u8>(p + 7));
  w(K_ICMP_V6); u32dec(w0 >> 28); b(0x7d); comma();
  return true;
}

export function renderIcmp(dbg: bool): void {
  const ic = d.icmp;
  const v6 = d.transport == Transport.ICMP6;
  w(K_ICMP);
  // A cut-short invoking header is reported by decode.ts as an err entry.
  if (!v6 && (ic.type == 3 || ic.type == 11 || ic.type == 5)) icmp4Embedded();
  if (v6 && (ic.type == 1 || ic.type == 3)) icmp6Embedded(dbg);
  w(K_CODE); u32dec(ic.code);
  if (v6 && ic.type == 137 && ic.bodyLen >= 36) { w(K_ICMP_DST6); fmtIp6(ic.body + 20, false); q(); }
  const echo = v6 ? (ic.type == 128 || ic.type == 129) : (ic.type == 0 || ic.type == 8);
  if (echo && ic.hasRest) { w(K_ID_C); u32dec(be16(ic.rest)); }
  w(K_MSG); icmpMsg(); q();
  if (echo && ic.hasRest) { w(K_SEQ_N); u32dec(be16(ic.rest + 2)); }
  if (!v6 && ic.type == 5) { w(K_TGT); fmtIp4(ic.rest); q(); }
  if (v6 && ic.type == 137 && ic.bodyLen >= 36) { w(K_TGT); fmtIp6(ic.body + 4, false); q(); }
  w(K_TYPE_C); u32dec(ic.type); w(K_XSUM); u32dec(ic.xsum); b(0x7d); comma();
}
