// The ICMP object of a record (ICMPv4 and ICMPv6 types, codes and embedded headers; reference
// §2.3.9–§2.3.10). An error's embedded header object also holds what tracecap decodes of the
// packet it quotes (record/quoted.ts): its TCP or UDP header (`L4`), a DNS message (`DNS`) or an
// HTTP/1 start line (`HTTP`), and why a quoted message could not be read whole (`err`).

import { frag, w, b, lp, u32dec, str } from "./writer";
import { ip4 as fmtIp4, ip6 as fmtIp6 } from "./format";
import * as d from "../record/decode";
import { Transport } from "../record/decode";
import { be16, be32 } from "../util/mem";
import * as Q from "../record/quoted";
import { icmpQuotes } from "../wire/icmp";
import { HttpLineKind } from "../wire/http1";
import { WireErr } from "../wire/errors";
import { renderDnsBody } from "./dns";
import { wireMsg } from "./err";
import { icmp4TypeName, icmp4CodeName, icmp4HasCodeTable, icmp6TypeName, icmp6CodeName, icmp6HasCodeTable } from "../names";
import { comma, q } from "./emit";
import { K_DST_C, K_LBL_C } from "./l3";
import { K_XSUM, flagStr } from "./tcp";

const K_ICMP = frag("\"ICMP\":{");
const K_ICMP_IPV4 = frag("\"IPv4\":{");
const K_DST_FIRST = frag("\"dst\":\"");
const K_Q_L4 = frag("\"L4\":{");
const K_Q_ACK = frag("\"ack\":");
const K_Q_DST = frag("\"dst\":");
const K_Q_FLAGS = frag(",\"flags\":{\"dec\":");
const K_Q_FLAGS_STR = frag(",\"str\":\"");
const K_Q_LEN = frag(",\"len\":");
const K_Q_OFF = frag(",\"off\":");
const K_Q_SEQ = frag(",\"seq\":");
const K_Q_SRC = frag(",\"src\":");
const K_Q_URG = frag(",\"urg\":");
const K_Q_WIN = frag(",\"win\":");
const K_Q_DNS = frag("\"DNS\":{");
const K_Q_HTTP_RES = frag("\"HTTP\":{\"code\":");
const K_Q_HTTP_RES_KIND = frag(",\"kind\":\"response\",\"proto\":");
const K_Q_HTTP_STATUS = frag(",\"status\":");
const K_Q_HTTP_REQ = frag("\"HTTP\":{\"kind\":\"request\",\"method\":");
const K_Q_HTTP_PROTO = frag(",\"proto\":");
const K_Q_HTTP_URL = frag(",\"url\":");
const K_Q_ERR_DNS = frag(",\"err\":[{\"layer\":\"DNS\",\"msg\":\"");
const K_Q_ERR_HTTP = frag(",\"err\":[{\"layer\":\"HTTP\",\"msg\":\"");
const K_Q_ERR_END = frag("\"}]");
const K_ID_Q = frag(",\"id\":");
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
function icmp4Embedded(dbg: bool): bool {
  const ic = d.icmp;
  if (ic.bodyLen < 20) return false;
  const p = ic.body;
  w(K_ICMP_IPV4);
  quotedLayers(dbg);
  w(K_DST_FIRST); fmtIp4(p + 16); q(); quoteErr();
  w(K_ID_Q); u32dec(be16(p + 4)); w(K_ICMP_PROTO); u32dec(<u32>load<u8>(p + 9));
  w(K_ICMP_SRC); fmtIp4(p + 12); w(K_ICMP_TTL_Q); u32dec(<u32>load<u8>(p + 8)); w(K_XSUM); u32dec(be16(p + 10));
  b(0x7d); comma();
  return true;
}

// The quoted packet's layers, the first keys of the embedded header object (keys pcap-sidecar
// does not have): DNS, HTTP, L4.
function quotedLayers(dbg: bool): void {
  if (Q.hasDns && Q.dns.len >= 12) { w(K_Q_DNS); renderDnsBody(Q.dns, dbg); b(0x7d); comma(); }
  if (Q.http.kind != HttpLineKind.NONE) quotedHttp();
  quotedL4();
}

// "L4": the quoted TCP or UDP header's fields, as far as they were quoted (RFC 792 asks for 64
// bits: the ports, and TCP's sequence number or UDP's length and checksum): which connection
// and which segment the error is about. TCP: ack, dst, flags, off, seq, src, urg, win, xsum;
// UDP: dst, len, src, xsum. None when fewer than the 4 bytes of the ports were quoted.
function quotedL4(): void {
  const qt = Q.quote;
  const t = qt.l4, n = qt.l4Len;
  if (t == 0 || n < 4 || (qt.proto != 6 && qt.proto != 17)) return;
  w(K_Q_L4);
  if (qt.proto == 6) {
    if (n >= 12) { w(K_Q_ACK); u32dec(be32(t + 8)); comma(); }
    w(K_Q_DST); u32dec(be16(t + 2));
    if (n >= 14) { const f = <u32>load<u8>(t + 13); w(K_Q_FLAGS); u32dec(f); w(K_Q_FLAGS_STR); flagStr(f); q(); b(0x7d); }
    if (n >= 13) { w(K_Q_OFF); u32dec(<u32>load<u8>(t + 12) >> 4); }
    if (n >= 8) { w(K_Q_SEQ); u32dec(be32(t + 4)); }
    w(K_Q_SRC); u32dec(be16(t));
    if (n >= 20) { w(K_Q_URG); u32dec(be16(t + 18)); }
    if (n >= 16) { w(K_Q_WIN); u32dec(be16(t + 14)); }
    if (n >= 18) { w(K_XSUM); u32dec(be16(t + 16)); }
  } else {
    w(K_Q_DST); u32dec(be16(t + 2));
    if (n >= 6) { w(K_Q_LEN); u32dec(be16(t + 4)); }
    w(K_Q_SRC); u32dec(be16(t));
    if (n >= 8) { w(K_XSUM); u32dec(be16(t + 6)); }
  }
  b(0x7d); comma();
}

// "HTTP": the quoted HTTP/1 start line, named as the analysis' HTTP object names it — code, kind,
// proto, status of a status line; kind, method, proto, url of a request line — as far as quoted.
function quotedHttp(): void {
  const h = Q.http;
  if (h.kind == HttpLineKind.STATUS) {
    w(K_Q_HTTP_RES); u32dec(h.code); w(K_Q_HTTP_RES_KIND); str(h.version, h.versionLen);
    if (h.statusLen > 0) { w(K_Q_HTTP_STATUS); str(h.status, h.statusLen); }
  } else {
    w(K_Q_HTTP_REQ); str(h.method, h.methodLen);
    if (h.versionLen > 0) { w(K_Q_HTTP_PROTO); str(h.version, h.versionLen); }
    if (h.targetLen > 0) { w(K_Q_HTTP_URL); str(h.target, h.targetLen); }
  }
  b(0x7d); comma();
}

// ,"err":[{layer, msg}] of the embedded header object: why the quoted DNS message or HTTP start
// line could not be read whole (the quote ended inside it, or it is malformed). The record's own
// err and severity are the packet's: a quote cut short is no fault of the packet.
function quoteErr(): void {
  if (Q.hasDns && Q.dnsErr != WireErr.OK) { w(K_Q_ERR_DNS); wireMsg(Q.dnsErr); w(K_Q_ERR_END); }
  else if (Q.http.kind != HttpLineKind.NONE && Q.http.cut) { w(K_Q_ERR_HTTP); wireMsg(WireErr.TRUNCATED); w(K_Q_ERR_END); }
}

// Invoking IPv6 header of an ICMPv6 error (RFC 4443 §3.1–§3.4), after 4 unused bytes.
function icmp6Embedded(dbg: bool): bool {
  const ic = d.icmp;
  if (ic.bodyLen < 44) return false;
  const p = ic.body + 4;
  const w0 = be32(p);
  const tc = (w0 >> 20) & 0xff;
  w(K_ICMP_IPV6);
  quotedLayers(dbg);
  w(K_DSF_FIRST); u32dec(tc >> 2); w(K_DST_C); fmtIp6(p + 24, false); w(K_ICMP_ECN); u32dec(tc & 3);
  quoteErr();
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

/** Writes the ICMP object of the packet (d.icmp), with an error's embedded header and what it quotes. */
export function renderIcmp(dbg: bool): void {
  const ic = d.icmp;
  const v6 = d.transport == Transport.ICMP6;
  w(K_ICMP);
  // A cut-short invoking header is reported by decode.ts as an err entry. Parameter problems
  // (and ICMPv6 packet too big) quote a packet too; pcap-sidecar shows none of theirs.
  if (icmpQuotes(ic.type, v6)) { if (v6) icmp6Embedded(dbg); else icmp4Embedded(dbg); }
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
