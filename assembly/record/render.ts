// Renders one record (reference §2–§3) for the packet decode.ts just decoded, straight into
// the output window. Keys are written in bytewise-sorted order by construction, at every
// level, as Go's encoding/json sorts map keys. Every payload-derived string goes through
// str(), which applies Go's escaping and replaces invalid UTF-8.

import {
  TEXT_CACHE_SLOTS, L2_CACHE_SLOTS, TAIL_TEXT_MAX, L3_EP_TEXT_MAX, L4_EP_TEXT_MAX, MSG_TEXT_MAX, L2_TEXT_MAX, SPAN_CAP,
  MAX_OS_IFACES, MAX_OS_IFNAME, OS_SPAN_CAP,
} from "../config";
import {
  frag, fragBytes, w, b, raw, lp, lpStr, u32dec, u64dec, u64decCached, i64dec, hex32, bin32, hexBytes, str, strBody, pos, rollback, setPos, TextCache, renderBuffer,
} from "../json/writer";
import { ip4 as fmtIp4, ip6 as fmtIp6, mac, rfc3339 } from "../json/format";
import * as d from "./decode";
import { Kind, Transport, Layer } from "./decode";
import { NetKind } from "../wire/link";
import { WireErr, wireReason } from "../wire/errors";
import { dnsName, dnsOpcode, dnsRcode, dnsNameEnd } from "../wire/dns";
import { be16, be32 } from "../util/mem";
import {
  verbosity, Verbosity, Opt, optPtr, optLength, optIsSet, optEscPtr, optEscLength, ifaceIndex, addrCount, addrPtr, addrLength,
  isLocalAddr, ephemeralMin, ephemeralMax, optGen, osCount, osAddrTotal, osIfaceOf, osIfaceIndex, osNamePtr, osNameLength,
  osAddrPtr, osAddrLength, osAddrOwnerOf,
} from "./options";
import {
  tcpPortName, udpPortName, etherTypeName, ipProtocolName, dnsTypeName, dnsClassName, dnsRcodeName,
  dnsOpcodeName, dnsOptCodeName, icmp4TypeName, icmp4CodeName, icmp4HasCodeTable, icmp6TypeName,
  icmp6CodeName, icmp6HasCodeTable,
} from "../names";
import * as reader from "../capture/reader";
import * as A from "./analyze";
import * as E from "./entry";
import * as bpf from "../filter/bpf";
import * as pf from "../filter/packet";

// ---- constant fragments ----------------------------------------------------------------
const K_OPEN = frag("{");
const K_HTTP = frag("\"HTTP\":");
const K_L7 = frag("\"L7\":");
const K_TLS = frag("\"TLS\":");
const K_ARP = frag("\"ARP\":{\"dst\":{\"IP\":\"");
const K_ARP_MAC = frag("\",\"MAC\":\"");
const K_ARP_FLOW = frag("\"},\"flow\":\"");
const K_ARP_OP = frag("\",\"op\":");
const K_ARP_SRC = frag(",\"src\":{\"IP\":\"");
const K_CLOSE2 = frag("\"}},");
const K_DNS = frag("\"DNS\":{");
const K_ICMP = frag("\"ICMP\":{");
const K_L2 = frag("\"L2\":{\"dst\":\"");
const K_SRC_Q = frag("\",\"src\":\"");
const K_TYPE_Q = frag("\",\"type\":\"");
const K_VLAN = frag("\",\"vlan\":[");
const K_L3 = frag("\"L3\":{");
const K_L4 = frag("\"L4\":{");
const K_ERR = frag("\"err\":[");
const K_FLOW = frag("\"flow\":\"");
const K_IFACE = frag("\"iface\":{");
const K_LOCAL_T = frag("\"local\":true,");
const K_LOCAL_F = frag("\"local\":false,");
const K_LABELS_INFO = frag("\"logging.googleapis.com/labels\":{\"run.googleapis.com/tool\":\"pcap-sidecar\"},");
const K_LABELS_DBG = frag("\"logging.googleapis.com/labels\":{\"run.googleapis.com/pcap/id\":\"");
const K_LABELS_IFACE = frag("\",\"run.googleapis.com/pcap/iface\":\"");
const K_LABELS_NAME = frag("\",\"run.googleapis.com/pcap/name\":\"");
const K_LABELS_TOOL = frag("\",\"run.googleapis.com/tool\":\"pcap-sidecar\"},");
const K_OP = frag("\"logging.googleapis.com/operation\":{");
const K_OP_FIRST = frag("\"first\":true,");
const K_OP_ID = frag("\"id\":\"");
const K_OP_IFACE = frag("/iface/");
const K_OP_FLOW = frag("/flow/");
const K_OP_PRODUCER = frag("\",\"producer\":\"");
const K_MESSAGE = frag("\"message\":\"#");
const K_META_DBG = frag("\"meta\":{\"cap_len\":");
const K_META_FLOW_C = frag(",\"flow\":\"");
const K_META_FLOW = frag("\"meta\":{\"flow\":\"");
const K_META_LEN = frag("\",\"len\":");
const K_META_TS = frag(",\"timestamp\":\"");
const K_META_TRUNC_T = frag("\",\"trunc\":true},");
const K_META_TRUNC_F = frag("\",\"trunc\":false},");
const K_PCAP_DBG = frag("\"pcap\":{\"ctx\":\"");
const K_PCAP_ID = frag("\",\"id\":\"");
const K_PCAP_NUM_C = frag("\",\"num\":\"");
const K_PCAP_NUM = frag("\"pcap\":{\"num\":\"");
const K_SEVERITY = frag("\"severity\":\"ERROR\",");
const K_TS = frag("\"timestamp\":{\"nanos\":");
const K_TS_SEC = frag(",\"seconds\":");
const K_END = frag("}}\n");
const K_BAR = frag(" | ");
const K_GT = frag(" \\u003e ");
const K_ARROW = frag("-\\u003e");
const K_MSG_FLOW = frag(" | flow:");
const K_MSG_ARP = frag(" | ARP | ");
const K_MSG_ICMP4 = frag(" | ICMPv4 | ");
const K_MSG_ICMP6 = frag(" | ICMPv6 | ");
const K_MSG_UDP = frag(" | UDP | ");
const K_MSG_TCP = frag(" | TCP | ");
const K_MSG_LSA = frag("] | len/seq/ack:");
const K_ANY = frag("any");
const K_NIL = frag("<nil>");
const K_KIND = [frag("l2:"), frag("arp:"), frag("icmp:"), frag("l3:"), frag("udp:"), frag("tcp:")];

/** Serial number of the next packet (reference §3.2: the first packet is 0). */
export let serial: u64 = 0;
// Where numbering starts: 0 for a whole capture; a live window cut from the middle of an
// interface's traffic (the trigger ring) starts at its first packet's real serial instead.
let firstSerial: u64 = 0;
/** Restart numbering at the first serial. */
export function resetSerial(): void { serial = firstSerial; }
/** Numbers the next packet, and the first one after a reset, n. */
export function setFirstSerial(n: u64): void { firstSerial = n; serial = n; }

// Interface of the current packet.
let ifIdx: i32 = 0;
let ifNameP: usize = 0;
let ifNameL: i32 = 0;
// Whether the interface name in effect (the option, else the pcapng if_name, else the default)
// is `any`: only then are packets attributed to OS interfaces (reference §3.3). The name, not
// the index, says so: the index defaults to the capture's interface id, 0 for every classic pcap.
let ifIsAny = false;

function setInterface(): void {
  ifIdx = ifaceIndex >= 0 ? ifaceIndex : reader.pktIface;
  let p: usize, l: i32;
  if (optIsSet(Opt.IFACE_NAME)) { p = optPtr(Opt.IFACE_NAME); l = optLength(Opt.IFACE_NAME); }
  else {
    const n = reader.isNg ? reader.ifNameLength(reader.pktIface) : 0;
    if (n > 0) { p = reader.ifNamePtr(reader.pktIface); l = n; }
    else { p = <usize>(K_ANY & 0xffffffff); l = <i32>(K_ANY >>> 32); }
  }
  // The name is escaped once per change of interface, not for each of its uses in every record.
  let changed = false;
  if (p != ifNameP || l != ifNameL || memory.compare(p, IFNAME_COPY, <usize>l) != 0) {
    ifNameP = p; ifNameL = l;
    memory.copy(IFNAME_COPY, p, <usize>l);
    const save = pos;
    setPos(IFNAME_ESC); strBody(p, l); ifEscL = <i32>(pos - IFNAME_ESC); setPos(save);
    ifIsAny = l == 3 && memory.compare(p, <usize>(K_ANY & 0xffffffff), 3) == 0;
    changed = true;
  }
  if (changed || ifIdx != spanIf || optGen != spanGen) renderSpans();
}

// Parts of a record made only of options and the interface (labels, operation id prefix, pcap
// context, ...): rendered once per change of interface or options, copied into each record.
const enum Span { IFACE = 0, LABELS_OP_DBG = 1, LABELS_OP_INFO = 2, OP_END = 3, MSG_IFACE = 4, PCAP_DBG = 5, COUNT = 6 }
const SPANS: usize = renderBuffer(SPAN_CAP * Span.COUNT);
const spanLen = new StaticArray<i32>(Span.COUNT);
let spanIf: i32 = -1;
let spanGen: u32 = 0xffffffff;

@inline function span(s: Span): void { raw(SPANS + <usize>(<i32>s * SPAN_CAP), unchecked(spanLen[<i32>s])); }
@inline function spanStart(s: Span): void { setPos(SPANS + <usize>(<i32>s * SPAN_CAP)); }
@inline function spanEnd(s: Span): void { unchecked(spanLen[<i32>s] = <i32>(pos - (SPANS + <usize>(<i32>s * SPAN_CAP)))); }

function renderSpans(): void {
  const save = pos;
  spanStart(Span.IFACE); renderIface(); spanEnd(Span.IFACE);
  spanStart(Span.LABELS_OP_DBG); renderLabels(true); opStart(false); spanEnd(Span.LABELS_OP_DBG);
  spanStart(Span.LABELS_OP_INFO); renderLabels(false); opStart(false); spanEnd(Span.LABELS_OP_INFO);
  spanStart(Span.OP_END); opEnd(); spanEnd(Span.OP_END);
  spanStart(Span.MSG_IFACE); msgIface(ifIdx, IFNAME_ESC, ifEscL); spanEnd(Span.MSG_IFACE);
  spanStart(Span.PCAP_DBG); w(K_PCAP_DBG); optStr(Opt.LOG_NAME); w(K_PCAP_ID); optStr(Opt.ID); w(K_PCAP_NUM_C); spanEnd(Span.PCAP_DBG);
  if (optGen != osSpanGen) renderOsSpans();
  setPos(save);
  spanIf = ifIdx; spanGen = optGen;
  TAIL_CACHE.clear();
}
// Per OS interface: its iface object and its message prefix, rendered once per change of the
// table (options), copied into the records of the packets on `any` attributed to it.
const OS_SPANS: usize = renderBuffer(OS_SPAN_CAP * MAX_OS_IFACES);
const osIfaceSpanLen = new StaticArray<i32>(MAX_OS_IFACES);
const osMsgSpanLen = new StaticArray<i32>(MAX_OS_IFACES);
const OSNAME_ESC: usize = renderBuffer(MAX_OS_IFNAME * 6);
let osSpanGen: u32 = 0xffffffff;

function renderOsSpans(): void {
  for (let i = 0; i < osCount; i++) {
    setPos(OSNAME_ESC); strBody(osNamePtr(i), osNameLength(i));
    const nameL = <i32>(pos - OSNAME_ESC);
    const base = OS_SPANS + <usize>(i * OS_SPAN_CAP);
    setPos(base);
    // reference §2.2 iface: the owning interface's index, name and addresses
    w(K_IFACE);
    let n = 0;
    for (let j = 0; j < osAddrTotal; j++) if (osAddrOwnerOf(j) == i) addrItem(n++ == 0, osAddrPtr(j), osAddrLength(j));
    if (n > 0) { b(0x5d); comma(); }
    ifaceEnd(osIfaceIndex(i), OSNAME_ESC, nameL);
    unchecked(osIfaceSpanLen[i] = <i32>(pos - base));
    // reference §2.4: the message prefix names the owning interface
    msgIface(osIfaceIndex(i), OSNAME_ESC, nameL);
    unchecked(osMsgSpanLen[i] = <i32>(pos - base) - unchecked(osIfaceSpanLen[i]));
  }
  osSpanGen = optGen;
}
@inline function osIfaceSpan(i: i32): void { raw(OS_SPANS + <usize>(i * OS_SPAN_CAP), unchecked(osIfaceSpanLen[i])); }
@inline function osMsgSpan(i: i32): void {
  raw(OS_SPANS + <usize>(i * OS_SPAN_CAP + unchecked(osIfaceSpanLen[i])), unchecked(osMsgSpanLen[i]));
}

// OS interface slot the current packet is attributed to, or -1 (the capture interface).
let att: i32 = -1;

// Reference §3.3: on `any`, a packet with L3 (or ARP) belongs to the OS interface that owns its
// source address, else the one that owns its destination address. ARP addresses are the
// sender/target protocol addresses, read as IPv4 from their first 4 bytes as in the record.
function attribute(): i32 {
  if (!ifIsAny || osCount == 0) return -1;
  if (d.net == NetKind.IPV4) { const s = osIfaceOf(d.ip4.src, 4); return s >= 0 ? s : osIfaceOf(d.ip4.dst, 4); }
  if (d.net == NetKind.IPV6) { const s = osIfaceOf(d.ip6.src, 16); return s >= 0 ? s : osIfaceOf(d.ip6.dst, 16); }
  if (d.net == NetKind.ARP && d.arp.plen >= 4) { const s = osIfaceOf(d.arp.spa, 4); return s >= 0 ? s : osIfaceOf(d.arp.tpa, 4); }
  return -1;
}

const IFNAME_COPY: usize = heap.alloc(1024);
const IFNAME_ESC: usize = renderBuffer(1024 * 6);
let ifEscL: i32 = 0;
@inline function ifName(): void { raw(IFNAME_ESC, ifEscL); }

/**
 * Renders the record of the current packet (reader globals) into the output window; false when
 * a filter rejected it. A rejected packet still consumes its serial (reference §7), so pcap.num
 * stays the packet's position in the capture, and it never reaches the stateful analysis.
 */
export function renderPacket(): bool {
  if (bpf.active() && !bpf.accepts(reader.pktLink, reader.pktPtr, reader.pktCapLen, reader.pktOrigLen)) { serial++; return false; }
  setInterface();
  d.decode(reader.pktLink, reader.pktPtr, reader.pktCapLen, reader.pktOrigLen, ifIdx);
  if (pf.active && !softFilter()) { serial++; return false; }
  att = attribute();
  const dbg = verbosity == Verbosity.DEBUG;
  const num = serial++;

  // Stateful analysis (DEBUG, TCP): HTTP/1.x, HTTP/2, trace correlation.
  if (d.net == NetKind.IPV4 || d.net == NetKind.IPV6) formatAddrs();
  const analysed = dbg && d.transport == Transport.TCP;
  if (analysed) analyse();

  const index = E.enabled;
  if (index) E.begin(pos);
  w(K_OPEN);
  if (d.net == NetKind.ARP) renderArp();
  if (d.hasDns) renderDns(dbg);
  if (analysed && A.httpLen > 0) { w(K_HTTP); if (index) E.http(pos, A.httpLen); raw(A.httpPtr(), A.httpLen); comma(); }
  if (d.transport == Transport.ICMP4 || d.transport == Transport.ICMP6) renderIcmp(dbg);
  if (d.link.ethernet) renderL2();
  if (d.net == NetKind.IPV4 || d.net == NetKind.IPV6) renderL3(dbg);
  if (d.transport == Transport.TCP) renderTcp(dbg);
  else if (d.transport == Transport.UDP) renderUdp();
  if (analysed && A.l7Len > 0) { w(K_L7); raw(A.l7Ptr(), A.l7Len); comma(); }
  if (analysed && A.tlsLen > 0) { w(K_TLS); raw(A.tlsPtr(), A.tlsLen); comma(); }
  if (d.errCount > 0) renderErr();
  // flow, iface, local, labels, operation: the same for every packet of a flow, direction and
  // attributed interface (two directions of a flow may be attributed to different interfaces).
  const hasLocal = d.kind == Kind.TCP || d.kind == Kind.UDP;
  const local = hasLocal && isLocal();
  if (d.kind != Kind.L2 && num != 1) {
    const aux = <u64>d.kind | (hasLocal ? (local ? 0x10 : 0x20) : 0) | (dbg ? 0x40 : 0) | (<u64>(att + 1) << 8);
    if (!TAIL_CACHE.emit(d.flow, aux)) { const s = pos; flowTail(dbg, num, hasLocal, local); TAIL_CACHE.put(d.flow, aux, s); }
  } else flowTail(dbg, num, hasLocal, local);
  if (analysed && !A.traceInFrames) A.writeTopTrace();
  if (!analysed || A.hasMessage) renderMessage(num, analysed);
  renderMeta(dbg);
  renderPcap(dbg, num);
  if (d.errCount > 0) w(K_SEVERITY);
  w(K_TS); u32dec(<u32>reader.pktNsec); w(K_TS_SEC); i64dec(reader.pktSec); w(K_END);
  if (index) E.commit(pos, num, d.errCount > 0);
  return true;
}

// The software filters' verdict on the decoded packet (filter/packet.ts).
function softFilter(): bool {
  const v4 = d.net == NetKind.IPV4;
  const ip = v4 || d.net == NetKind.IPV6;
  const src: usize = !ip ? 0 : v4 ? d.ip4.src : d.ip6.src;
  const dst: usize = !ip ? 0 : v4 ? d.ip4.dst : d.ip6.dst;
  const net = !ip ? pf.Net.NONE : v4 ? pf.Net.IPV4 : pf.Net.IPV6;
  if (d.transport == Transport.TCP) return pf.allows(net, src, dst, pf.Proto.TCP, d.tcp.srcPort, d.tcp.dstPort, d.tcp.flags);
  if (d.transport == Transport.UDP) return pf.allows(net, src, dst, pf.Proto.UDP, d.udp.srcPort, d.udp.dstPort, 0);
  return pf.allows(net, src, dst, pf.Proto.NONE, 0, 0, 0);
}

// Texts that repeat for every packet of a connection, cached (see TextCache).
const TAIL_CACHE = new TextCache(TEXT_CACHE_SLOTS, TAIL_TEXT_MAX);
const MSG_CACHE = new TextCache(TEXT_CACHE_SLOTS, MSG_TEXT_MAX);
const L2_CACHE = new TextCache(L2_CACHE_SLOTS, L2_TEXT_MAX);

function flowTail(dbg: bool, num: u64, hasLocal: bool, local: bool): void {
  if (d.kind != Kind.L2) { w(K_FLOW); u64decCached(d.flow); b(0x22); b(0x2c); }
  // Reference §2.2/§3.3: iface names the attributed interface; labels and the operation id keep
  // the capture interface, meta.flow and flow its index, local its addresses (none on `any`, §3.4).
  if (dbg) { if (att >= 0) osIfaceSpan(att); else span(Span.IFACE); }
  if (hasLocal) w(local ? K_LOCAL_T : K_LOCAL_F);
  // labels and operation; the first packet's operation also says "first"
  if (num == 1) { renderLabels(dbg); opStart(true); } else span(dbg ? Span.LABELS_OP_DBG : Span.LABELS_OP_INFO);
  w(unchecked(K_KIND[<i32>d.kind])); u64decCached(d.kind == Kind.L2 ? d.metaFlow : d.flow); span(Span.OP_END);
}

// ---- helpers ------------------------------------------------------------------------------

@inline function comma(): void { b(0x2c); }
@inline function q(): void { b(0x22); }
/** Writes "key": for a key given as a fragment. */
@inline function key(k: u64): void { w(k); }

function optStr(k: i32): void { raw(optEscPtr(k), optEscLength(k)); }

function isLocal(): bool {
  let sp: u32 = 0;
  if (d.transport == Transport.TCP) sp = d.tcp.srcPort;
  else if (d.transport == Transport.UDP) sp = d.udp.srcPort;
  if (sp >= ephemeralMin && sp <= ephemeralMax) return false;
  if (d.net == NetKind.IPV4) return isLocalAddr(d.ip4.src, 4);
  return isLocalAddr(d.ip6.src, 16);
}

/** Writes the L3 source address (Go net.IP form). */
@inline function srcAddr(): void { raw(SRC_TXT, srcTxtLen); }
/** Writes the L3 destination address (Go net.IP form). */
@inline function dstAddr(): void { raw(DST_TXT, dstTxtLen); }

// The L3 addresses as text, formatted once per packet: a record uses each up to six times.
const SRC_TXT: usize = heap.alloc(72);
const DST_TXT: usize = heap.alloc(72);
let srcTxtLen: i32 = 0;
let dstTxtLen: i32 = 0;
function formatAddrs(): void {
  const save = pos;
  setPos(SRC_TXT);
  if (d.net == NetKind.IPV4) fmtIp4(d.ip4.src); else fmtIp6(d.ip6.src, true);
  srcTxtLen = <i32>(pos - SRC_TXT);
  setPos(DST_TXT);
  if (d.net == NetKind.IPV4) fmtIp4(d.ip4.dst); else fmtIp6(d.ip6.dst, true);
  dstTxtLen = <i32>(pos - DST_TXT);
  setPos(save);
}

// ---- ARP ----------------------------------------------------------------------------------

// ARP addresses use netip formatting of the first 4 protocol-address bytes (reference §2.3.2).
function arpIp(p: usize, len: i32): void { if (len >= 4) fmtIp4(p); }

function renderArp(): void {
  const a = d.arp;
  w(K_ARP); arpIp(a.tpa, a.plen); w(K_ARP_MAC); mac(a.tha, a.hlen);
  w(K_ARP_FLOW); u64decCached(d.arpFlow); w(K_ARP_OP); u32dec(a.op);
  w(K_ARP_SRC); arpIp(a.spa, a.plen); w(K_ARP_MAC); mac(a.sha, a.hlen); w(K_CLOSE2);
}

// ---- L2 -----------------------------------------------------------------------------------

function renderL2(): void {
  const l = d.link;
  // Without VLAN tags the block is made of the two MACs and the EtherType: cached by them.
  if (l.vlanCount == 0) {
    const key = load<u64>(l.dst) & 0xffffffffffff | (<u64>load<u16>(l.src) << 48);
    const aux = <u64>load<u32>(l.src + 2) | (<u64>l.etherType << 32);
    if (L2_CACHE.emit(key, aux)) return;
    const s = pos;
    renderL2Text();
    L2_CACHE.put(key, aux, s);
  } else renderL2Text();
}

function renderL2Text(): void {
  const l = d.link;
  w(K_L2); mac(l.dst, 6); w(K_SRC_Q); mac(l.src, 6); w(K_TYPE_Q); lp(etherTypeName(l.etherType));
  if (l.vlanCount > 0) {
    w(K_VLAN);
    for (let i = 0; i < l.vlanCount; i++) { if (i > 0) comma(); u32dec(<u32>unchecked(l.vlans[i])); }
    b(0x5d); b(0x7d); comma();
  } else { q(); b(0x7d); comma(); }
}

// ---- L3 -----------------------------------------------------------------------------------

const K_DST = frag("\"dst\":\"");
const K_ENDPOINTS = frag("\",\"endpoints\":{\"bwd\":\"");
const K_EP_DST = frag("\",\"dst\":\"");
const K_EP_FWD = frag("\",\"fwd\":\"");
const K_EP_HASH = frag("\",\"hash\":\"");
const K_EP_SRC = frag("\",\"src\":\"");
const K_EP_END = frag("\"}");
const K_FLAGS_ARR = frag(",\"flags\":[");
const K_FLOW_C = frag(",\"flow\":\"");
const K_FLOW_Q = frag("\",\"flow\":\"");
const K_FOFF = frag("\",\"foff\":");
const K_ID = frag(",\"id\":");
const K_IHL = frag(",\"ihl\":");
const K_LEN = frag(",\"len\":");
const K_OPTS = frag(",\"opts\":[");
const K_PROTO_NAME = frag(",\"proto\":{\"name\":\"");
const K_PROTO_NUM_C = frag("\",\"num\":");
const K_PROTO_NUM = frag(",\"proto\":{\"num\":");
const K_SRC_CLOSE = frag("},\"src\":\"");
const K_TOS = frag("\",\"tos\":");
const K_TTL = frag(",\"ttl\":");
const K_V4 = frag(",\"v\":4,\"xsum\":");
const K_CLS = frag("\"cls\":");
const K_DST_C = frag(",\"dst\":\"");
const K_LBL_Q = frag("\",\"lbl\":");
const K_LBL_C = frag(",\"lbl\":");
const K_TTL_Q = frag("\",\"ttl\":");
const K_V6 = frag(",\"v\":6},");
const K_DATA = frag("{\"data\":\"");
const K_OPT_TYPE = frag("\",\"type\":");
const K_EVIL = frag("\"Evil\"");
const K_DF = frag("\"DF\"");
const K_MF = frag("\"MF\"");
const K_EMPTY_FLAG = frag("\"\"");

// The endpoints objects repeat for every packet of a connection: cached by addresses or ports.
const L3_EP_CACHE = new TextCache(TEXT_CACHE_SLOTS, L3_EP_TEXT_MAX);
const L4_EP_CACHE = new TextCache(TEXT_CACHE_SLOTS, L4_EP_TEXT_MAX);

function l3Endpoints(): void {
  // IPv4: the two addresses are the key; IPv6 addresses do not fit one, so they are rendered.
  const v4 = d.net == NetKind.IPV4;
  const key = v4 ? (<u64>load<u32>(d.ip4.src) << 32) | <u64>load<u32>(d.ip4.dst) : 0;
  if (v4 && L3_EP_CACHE.emit(key, 0)) return;
  const start = pos;
  l3EndpointsText();
  if (v4) L3_EP_CACHE.put(key, 0, start);
}

function l3EndpointsText(): void {
  w(K_ENDPOINTS); dstAddr(); w(K_ARROW); srcAddr();
  w(K_EP_DST); dstAddr(); w(K_EP_FWD); srcAddr(); w(K_ARROW); dstAddr();
  w(K_EP_HASH);
  if (d.net == NetKind.IPV4) u64decCached(d.endpointHash(d.ip4.src, d.ip4.dst, 4, 1));
  else u64decCached(d.endpointHash(d.ip6.src, d.ip6.dst, 16, 2));
  w(K_EP_SRC); srcAddr(); w(K_EP_END);
}

const K_FOFF0_ID = frag("\",\"foff\":0,\"id\":");
const K_IHL5_LEN = frag(",\"ihl\":5,\"len\":");
const K_TOS0_TTL = frag("\",\"tos\":0,\"ttl\":");
const K_PROTO_TCP_SRC = frag(",\"proto\":{\"num\":6},\"src\":\"");
const K_PROTO_UDP_SRC = frag(",\"proto\":{\"num\":17},\"src\":\"");
const K_PROTO_TCP_SRC_DBG = frag(",\"proto\":{\"name\":\"TCP\",\"num\":6},\"src\":\"");
const K_PROTO_UDP_SRC_DBG = frag(",\"proto\":{\"name\":\"UDP\",\"num\":17},\"src\":\"");

// "proto":{...},"src":" (TCP and UDP as single fragments)
function protoSrc(num: u32, dbg: bool): void {
  if (num == 6) w(dbg ? K_PROTO_TCP_SRC_DBG : K_PROTO_TCP_SRC);
  else if (num == 17) w(dbg ? K_PROTO_UDP_SRC_DBG : K_PROTO_UDP_SRC);
  else { protoObj(num, dbg); w(K_SRC_CLOSE); }
}

function protoObj(num: u32, dbg: bool): void {
  if (dbg) { w(K_PROTO_NAME); lp(ipProtocolName(num)); w(K_PROTO_NUM_C); }
  else w(K_PROTO_NUM);
  u32dec(num);
}

function renderL3(dbg: bool): void {
  w(K_L3);
  if (d.net == NetKind.IPV4) {
    const ip = d.ip4;
    w(K_DST); fmtIp4(ip.dst);
    if (dbg) {
      l3Endpoints();
      w(K_FLAGS_ARR);
      // Go appends "Evil", "DF", "MF" in that order; with none set the array is [""].
      let n = 0;
      if (ip.flags & 4) { w(K_EVIL); n++; }
      if (ip.flags & 2) { if (n++) comma(); w(K_DF); }
      if (ip.flags & 1) { if (n++) comma(); w(K_MF); }
      if (n == 0) w(K_EMPTY_FLAG);
      b(0x5d); w(K_FLOW_C);
    } else w(K_FLOW_Q);
    // The usual values (no fragment offset, no options, TOS 0, TCP or UDP) are written with
    // their keys as one fragment.
    u64decCached(d.l3Flow);
    if (ip.fragOff == 0) w(K_FOFF0_ID); else { w(K_FOFF); u32dec(ip.fragOff); w(K_ID); }
    u32dec(ip.id);
    if (ip.ihl == 5) w(K_IHL5_LEN); else { w(K_IHL); u32dec(ip.ihl); w(K_LEN); }
    u32dec(ip.totalLen);
    if (ip.optsLen > 0) { w(K_OPTS); ipv4Options(ip.opts, ip.optsLen); b(0x5d); }
    protoSrc(ip.proto, dbg);
    fmtIp4(ip.src);
    if (ip.tos == 0) w(K_TOS0_TTL); else { w(K_TOS); u32dec(ip.tos); w(K_TTL); }
    u32dec(ip.ttl);
    w(K_V4); u32dec(ip.xsum); b(0x7d); comma();
  } else {
    const ip = d.ip6;
    w(K_CLS); u32dec(ip.tclass); w(K_DST_C); fmtIp6(ip.dst, true);
    if (dbg) { l3Endpoints(); w(K_FLOW_C); } else w(K_FLOW_Q);
    u64decCached(d.l3Flow); q(); w(K_LBL_C); u32dec(ip.flowLabel); w(K_LEN); u32dec(ip.payloadLen);
    protoSrc(ip.nextHeader, dbg); fmtIp6(ip.src, true); w(K_TTL_Q); u32dec(ip.hopLimit); w(K_V6);
  }
}

// IPv4 options as gopacket splits them: EOL ends the list (rest is padding), NOP is one byte,
// others carry a length byte; a bad length ends the list.
function ipv4Options(p: usize, len: i32): void {
  let off = 0, n = 0;
  while (off < len) {
    const t = <u32>load<u8>(p + <usize>off);
    if (n++) comma();
    w(K_DATA);
    if (t == 0 || t == 1) {
      w(K_OPT_TYPE); u32dec(t); b(0x7d);
      if (t == 0) return;
      off++;
      continue;
    }
    if (off + 2 > len) { w(K_OPT_TYPE); u32dec(t); b(0x7d); return; }
    const ol = <i32>load<u8>(p + <usize>(off + 1));
    if (ol < 2 || off + ol > len) { w(K_OPT_TYPE); u32dec(t); b(0x7d); return; }
    strBody(p + <usize>(off + 2), ol - 2);
    w(K_OPT_TYPE); u32dec(t); b(0x7d);
    off += ol;
  }
}

// ---- L4: TCP ------------------------------------------------------------------------------

const K_ACK = frag("\"ack\":");
const K_DPROTO = frag(",\"dproto\":\"");
const K_DST_N_Q = frag("\",\"dst\":");
const K_DST_N = frag(",\"dst\":");
const K_L4EP = frag(",\"endpoints\":{\"bwd\":\"");
const K_FLAGS_INFO = frag(",\"flags\":{\"dec\":");
const K_FLAGS_DBG = frag(",\"flags\":{\"bin\":\"0b");
const K_FLAGS_DEC = frag("\",\"dec\":");
const K_FLAGS_HEX = frag(",\"hex\":\"0x");
const K_FLAGS_MAP = frag("\",\"map\":{\"ACK\":");
const K_MAP_CWR = frag(",\"CWR\":");
const K_MAP_ECE = frag(",\"ECE\":");
const K_MAP_FIN = frag(",\"FIN\":");
const K_MAP_NS = frag(",\"NS\":");
const K_MAP_PSH = frag(",\"PSH\":");
const K_MAP_RST = frag(",\"RST\":");
const K_MAP_SYN = frag(",\"SYN\":");
const K_MAP_URG = frag(",\"URG\":");
const K_STR_C = frag("},\"str\":\"");
const K_STR = frag(",\"str\":\"");
const K_L4_FLOW = frag("\"},\"flow\":\"");
const K_L4_LEN = frag("\",\"len\":\"");
const K_OFF = frag("\",\"off\":");
const K_OPTS_ALWAYS = frag(",\"opts\":[");
const K_SEQ = frag("],\"seq\":");
const K_SPROTO = frag(",\"sproto\":\"");
const K_SRC_N_Q = frag("\",\"src\":");
const K_SRC_N = frag(",\"src\":");
const K_URG = frag(",\"urg\":");
const K_URG0_WIN = frag(",\"urg\":0,\"win\":");
const K_OFF8_OPTS = frag("\",\"off\":8,\"opts\":[");
const K_OFF5_OPTS = frag("\",\"off\":5,\"opts\":[");
const K_WIN = frag(",\"win\":");
const K_XSUM = frag(",\"xsum\":");
const K_XWIN = frag(",\"xwin\":\"");
const K_TRUE = frag("true");
const K_FALSE = frag("false");

// Flag strings: pcap-sidecar's fixed table for common combinations, otherwise the set flags
// joined with '|' in bit order FIN, SYN, RST, PSH, ACK, URG, ECE, CWR (upstream uses Go map
// order there, which is random; this is tracecap's fixed rule).
const FLAG_STR = new StaticArray<u64>(256);
function initFlagStrings(): void {
  const names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
  for (let v = 0; v < 256; v++) {
    let s = "";
    for (let i = 0; i < 8; i++) if ((v >> i) & 1) s += (s.length ? "|" : "") + names[i];
    unchecked(FLAG_STR[v] = frag(s));
  }
  // The table entries whose order differs from bit order.
  unchecked(FLAG_STR[0x12] = frag("SYN|ACK")); unchecked(FLAG_STR[0x06] = frag("SYN|RST"));
  unchecked(FLAG_STR[0x18] = frag("PSH|ACK")); unchecked(FLAG_STR[0x11] = frag("FIN|ACK"));
  unchecked(FLAG_STR[0x14] = frag("RST|ACK")); unchecked(FLAG_STR[0x30] = frag("URG|ACK"));
  unchecked(FLAG_STR[0x1a] = frag("SYN|PSH|ACK")); unchecked(FLAG_STR[0x15] = frag("FIN|RST|ACK"));
}
initFlagStrings();

// The whole `flags` object of every flag byte (and NS bit at DEBUG), rendered once at start.
const FLAGS_DEBUG = new StaticArray<u64>(512);
const FLAGS_INFO = new StaticArray<u64>(256);
function initFlagObjects(): void {
  const scratch = renderBuffer(512);
  const save = pos;
  for (let v = 0; v < 512; v++) {
    const f = <u32>(v & 0xff), ns = v >= 256;
    setPos(scratch);
    w(K_FLAGS_DBG); bin32(f); w(K_FLAGS_DEC); u32dec(f); w(K_FLAGS_HEX); hex32(f);
    w(K_FLAGS_MAP); bool_((f & 0x10) != 0); w(K_MAP_CWR); bool_((f & 0x80) != 0); w(K_MAP_ECE); bool_((f & 0x40) != 0);
    w(K_MAP_FIN); bool_((f & 0x01) != 0); w(K_MAP_NS); bool_(ns); w(K_MAP_PSH); bool_((f & 0x08) != 0);
    w(K_MAP_RST); bool_((f & 0x04) != 0); w(K_MAP_SYN); bool_((f & 0x02) != 0); w(K_MAP_URG); bool_((f & 0x20) != 0);
    w(K_STR_C); flagStr(f);
    unchecked(FLAGS_DEBUG[v] = fragBytes(scratch, <i32>(pos - scratch)));
    if (v < 256) {
      setPos(scratch);
      w(K_FLAGS_INFO); u32dec(f); w(K_STR); flagStr(f);
      unchecked(FLAGS_INFO[v] = fragBytes(scratch, <i32>(pos - scratch)));
    }
  }
  setPos(save);
}

/** Writes the flags string of a TCP flag byte (no quotes). */
export function flagStr(v: u32): void { w(unchecked(FLAG_STR[v & 0xff])); }
initFlagObjects();

// gopacket TCPOptionKind names (kinds 0..15), else Unknown(<n>).
const OPT_NAMES = new StaticArray<u64>(16);
function initOptNames(): void {
  const n = ["EndList", "NOP", "MSS", "WindowScale", "SACKPermitted", "SACK", "Echo", "EchoReply", "Timestamps",
    "PartialOrderConnectionPermitted", "PartialOrderServiceProfile", "CC", "CCNew", "CCEcho", "AltChecksum", "AltChecksumData"];
  for (let i = 0; i < 16; i++) unchecked(OPT_NAMES[i] = frag(n[i]));
}
initOptNames();
const K_UNKNOWN_OPT = frag("Unknown(");

function optName(kind: u32): void {
  if (kind < 16) w(unchecked(OPT_NAMES[kind]));
  else { w(K_UNKNOWN_OPT); u32dec(kind); b(0x29); }
}

// Window scale found while rendering options; xwin is written at the end of L4.
let xwinSet = false;
let xwinVal: i64 = 0;

const K_WS_DEC = frag("{\"dec\":");
const K_WS_HEX = frag(",\"hex\":\"");
const K_WS_SCALE = frag("\",\"scale\":\"");
const K_WS_WIN = frag("\",\"win\":\"");
const K_WS_END = frag("\"}");

// Writes "0x<hex of data>" with trailing '0' characters removed (upstream trims the token
// with a cutset of "0"), inside quotes. Returns the address of the first hex digit.
function hexToken(p: usize, len: i32): usize {
  q(); b(0x30); b(0x78);
  const start = pos;
  hexBytes(p, len);
  let e = pos;
  while (e > start && load<u8>(e - 1) == 0x30) e--;
  rollback(e);
  q();
  return start;
}

function tcpOptions(dbg: bool): void {
  const t = d.tcp;
  xwinSet = false;
  for (let i = 0; i < t.optCount; i++) {
    if (i > 0) comma();
    const kind = <u32>unchecked(t.optKind[i]);
    const p = unchecked(t.optData[i]);
    const len = <i32>unchecked(t.optLen[i]);
    if (len == 0) { q(); optName(kind); q(); continue; }
    b(0x7b); q(); optName(kind); q(); b(0x3a); b(0x5b);
    if (kind == 2 && len >= 2) {
      q(); u32dec(be16(p)); q(); comma(); hexToken(p, len);
    } else if (kind == 8 && len == 8) {
      if (dbg) { q(); u32dec(be32(p)); q(); comma(); q(); u32dec(be32(p + 4)); q(); comma(); }
      hexToken(p, len);
    } else if (kind == 3) {
      windowScale(p, len, dbg);
    } else {
      hexToken(p, len);
    }
    b(0x5d); b(0x7d);
  }
}

// WindowScale: the trimmed hex token parsed as a number is the shift; upstream computes the
// scaled window as win * (2 << (shift - 1)) in 64-bit integers.
function windowScale(p: usize, len: i32, dbg: bool): void {
  const mark = pos;
  const start = hexToken(p, len);
  const end = pos - 1; // before the closing quote
  const digits = <i32>(end - start);
  if (digits == 0 || digits > 16) return; // "0x" alone (shift 0) does not parse: keep the token
  let shift: u64 = 0;
  for (let a = start; a < end; a++) {
    const c = <u32>load<u8>(a);
    shift = (shift << 4) | <u64>(c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  if (shift > <u64>i64.MAX_VALUE) return;
  const scale: i64 = shift - 1 >= 64 ? 0 : <i64>(<u64>2 << (shift - 1));
  const win: i64 = <i64>d.tcp.window * scale;
  xwinSet = true; xwinVal = win;
  if (!dbg) { rollback(mark); return; }
  // DEBUG replaces the token by an object; copy the token first, it is overwritten.
  const tokLen = digits;
  const tmp = tokenScratch;
  memory.copy(tmp, start, <usize>tokLen);
  rollback(mark);
  w(K_WS_DEC); u64dec(shift); w(K_WS_HEX); b(0x30); b(0x78); raw(tmp, tokLen);
  w(K_WS_SCALE); i64dec(scale); w(K_WS_WIN); i64dec(win); w(K_WS_END);
}
const tokenScratch: usize = heap.alloc(32);

function portName(tcp: bool, port: u32): usize { return tcp ? tcpPortName(port) : udpPortName(port); }

function l4Endpoints(sp: u32, dp: u32, typeId: u64): void {
  const key = (typeId << 32) | (<u64>sp << 16) | <u64>dp;
  if (L4_EP_CACHE.emit(key, 0)) return;
  const start = pos;
  l4EndpointsText(sp, dp, typeId);
  L4_EP_CACHE.put(key, 0, start);
}

function l4EndpointsText(sp: u32, dp: u32, typeId: u64): void {
  w(K_L4EP); u32dec(dp); w(K_ARROW); u32dec(sp);
  w(K_EP_DST); u32dec(dp); w(K_EP_FWD); u32dec(sp); w(K_ARROW); u32dec(dp);
  w(K_EP_HASH); u64decCached(d.portHash(sp, dp, typeId)); w(K_EP_SRC); u32dec(sp); w(K_EP_END);
}

function bool_(v: bool): void { w(v ? K_TRUE : K_FALSE); }

// Where renderTcp wrote seq and ack in the current record (the message repeats them).
let seqText: usize = 0, seqTextLen: i32 = 0, ackText: usize = 0, ackTextLen: i32 = 0;
let seqAckFor: u64 = <u64>-1;

function renderTcp(dbg: bool): void {
  const t = d.tcp;
  w(K_L4); w(K_ACK); ackText = pos; u32dec(t.ack); ackTextLen = <i32>(pos - ackText);
  if (dbg) { const dn = tcpPortName(t.dstPort); if (dn) { w(K_DPROTO); lp(dn); w(K_DST_N_Q); } else w(K_DST_N); }
  else w(K_DST_N);
  u32dec(t.dstPort);
  if (dbg) {
    l4Endpoints(t.srcPort, t.dstPort, 4);
    w(unchecked(FLAGS_DEBUG[(t.flags & 0xff) | (t.ns ? 0x100 : 0)]));
  } else {
    w(unchecked(FLAGS_INFO[t.flags & 0xff]));
  }
  w(K_L4_FLOW); u64decCached(d.l4Flow); w(K_L4_LEN); u32dec(<u32>t.payloadLen);
  if (t.dataOff == 8) w(K_OFF8_OPTS); else if (t.dataOff == 5) w(K_OFF5_OPTS); else { w(K_OFF); u32dec(t.dataOff); w(K_OPTS_ALWAYS); }
  tcpOptions(dbg);
  w(K_SEQ); seqText = pos; u32dec(t.seq); seqTextLen = <i32>(pos - seqText); seqAckFor = serial;
  if (dbg) { const sn = tcpPortName(t.srcPort); if (sn) { w(K_SPROTO); lp(sn); q(); } }
  w(K_SRC_N); u32dec(t.srcPort);
  if (t.urg == 0) w(K_URG0_WIN); else { w(K_URG); u32dec(t.urg); w(K_WIN); }
  u32dec(t.window);
  w(K_XSUM); u32dec(t.xsum);
  if (xwinSet) { w(K_XWIN); i64dec(xwinVal); q(); }
  b(0x7d); comma();
}

// ---- L4: UDP (always verbose, reference §2.3.8) -----------------------------------------

const K_UDP_DPROTO = frag("\"dproto\":\"");
const K_UDP_DST = frag("\"dst\":");
const K_UDP_EP_END_FLOW = frag(",\"flow\":\"");
const K_UDP_LEN = frag("\",\"len\":");
const K_UDP_SIZE = frag(",\"size\":");

function renderUdp(): void {
  const u = d.udp;
  w(K_L4);
  const dn = udpPortName(u.dstPort);
  if (dn) { w(K_UDP_DPROTO); lp(dn); q(); comma(); }
  w(K_UDP_DST); u32dec(u.dstPort);
  l4Endpoints(u.srcPort, u.dstPort, 5);
  w(K_UDP_EP_END_FLOW); u64decCached(d.l4Flow); w(K_UDP_LEN); u32dec(u.length);
  w(K_UDP_SIZE); u32dec(<u32>u.payloadLen);
  const sn = udpPortName(u.srcPort);
  if (sn) { w(K_SPROTO); lp(sn); q(); }
  w(K_SRC_N); u32dec(u.srcPort); w(K_XSUM); u32dec(u.xsum); b(0x7d); comma();
}

// ---- ICMP ---------------------------------------------------------------------------------

const K_ICMP_IPV4 = frag("\"IPv4\":{\"dst\":\"");
const K_ICMP_ID_Q = frag("\",\"id\":");
const K_ICMP_PROTO = frag(",\"proto\":");
const K_ICMP_SRC = frag(",\"src\":\"");
const K_ICMP_TTL_Q = frag("\",\"ttl\":");
const K_ICMP_IPV6 = frag("\"IPv6\":{\"dsf\":");
const K_ICMP_ECN = frag("\",\"ecn\":");
const K_ICMP_PROTO_Q = frag(",\"proto\":\"");
const K_ICMP_SRC_Q = frag("\",\"src\":\"");
const K_ICMP_V6 = frag(",\"v\":");
const K_CODE = frag("\"code\":");
const K_ID_C = frag(",\"id\":");
const K_MSG = frag(",\"msg\":\"");
const K_SEQ_N = frag(",\"seq\":");
const K_TGT = frag(",\"tgt\":\"");
const K_TYPE_C = frag(",\"type\":");
const K_TYPE_QC = frag("\",\"type\":");
const K_CODE_PAREN = frag("(Code: ");
const K_TCP_NAME = frag("TCP");
const K_UDP_NAME = frag("UDP");
const K_ICMP_DST6 = frag(",\"dst\":\"");

/** Writes the ICMP message name (gopacket ICMPv4TypeCode / ICMPv6TypeCode String()). */
function icmpMsg(): void {
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
  w(K_ICMP_IPV4); fmtIp4(p + 16); w(K_ICMP_ID_Q); u32dec(be16(p + 4)); w(K_ICMP_PROTO); u32dec(<u32>load<u8>(p + 9));
  w(K_ICMP_SRC); fmtIp4(p + 12); w(K_ICMP_TTL_Q); u32dec(<u32>load<u8>(p + 8)); w(K_XSUM); u32dec(be16(p + 10));
  b(0x7d); comma();
  return true;
}

// Invoking IPv6 header of an ICMPv6 error (RFC 4443 §3.1, §3.3), after 4 unused bytes.
function icmp6Embedded(dbg: bool): bool {
  const ic = d.icmp;
  if (ic.bodyLen < 44) return false;
  const p = ic.body + 4;
  const w0 = be32(p);
  const tc = (w0 >> 20) & 0xff;
  w(K_ICMP_IPV6); u32dec(tc >> 2); w(K_DST_C); fmtIp6(p + 24, false); w(K_ICMP_ECN); u32dec(tc & 3);
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

function renderIcmp(dbg: bool): void {
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

// ---- DNS ----------------------------------------------------------------------------------

const K_ANSWERS = frag("\"answers\":[");
const K_ANSWERS_COUNT = frag(",\"answers_count\":");
const K_ANSWERS_COUNT0 = frag("\"answers_count\":");
const K_QUESTIONS = frag(",\"questions\":[");
const K_QUESTIONS_COUNT = frag(",\"questions_count\":");
const K_DNS_ID = frag("\"id\":");
const K_DNS_OP = frag(",\"op\":\"");
const K_RCODE = frag(",\"response_code\":\"");
const K_Q_CLASS = frag("{\"class\":\"");
const K_NAME_Q = frag("\",\"name\":\"");
const K_TYPE_END = frag("\",\"type\":\"");
const K_CLASS_C = frag("\"class\":\"");
const K_TTL_N = frag("\",\"ttl\":");
const K_RR_A = frag("\"A\":\"");
const K_RR_AAAA = frag("\"AAAA\":\"");
const K_RR_CNAME = frag("\"CNAME\":\"");
const K_RR_NS = frag("\"NS\":\"");
const K_RR_PTR = frag("\"PTR\":\"");
const K_RR_MX = frag("\"MX\":{\"name\":\"");
const K_RR_MX_PREF = frag("\",\"preference\":");
const K_RR_SOA = frag("\"SOA\":{\"expire\":");
const K_RR_SOA_MNAME = frag(",\"mname\":\"");
const K_RR_SOA_REFRESH = frag("\",\"refresh\":");
const K_RR_SOA_RETRY = frag(",\"retry\":");
const K_RR_SOA_RNAME = frag(",\"rname\":\"");
const K_RR_SOA_SERIAL = frag("\",\"serial\":");
const K_RR_SRV = frag("\"SRV\":{\"name\":\"");
const K_RR_SRV_PORT = frag("\",\"port\":");
const K_RR_SRV_PRIO = frag(",\"priority\":");
const K_RR_SRV_WEIGHT = frag(",\"weight\":");
const K_RR_URI = frag("\"URI\":{\"priority\":");
const K_RR_URI_TARGET = frag(",\"target\":\"");
const K_RR_URI_WEIGHT = frag("\",\"weight\":");
const K_RR_OPT = frag("\"OPT\":[");
const K_RR_OPT_CODE = frag("{\"code\":\"");
const K_RR_OPT_DATA = frag("\",\"data\":\"");
const K_RR_TXT = frag("\"TXT\":[");

const NAME_BUF: usize = heap.alloc(256);

// Writes a validated DNS name at message offset off as a quoted-string body.
function dnsNameStr(off: i32): void {
  const n = dnsName(d.dns.msg, off, NAME_BUF);
  strBody(NAME_BUF, n);
}

// Writes the type-specific key of an answer (sorted before "class"); returns whether it wrote one.
function rdata(type: u32, off: i32, len: i32): bool {
  const m = d.dns.msg;
  const p = m + <usize>off;
  switch (type) {
    case 1: w(K_RR_A); fmtIp4(p); q(); return true;
    case 28: w(K_RR_AAAA); fmtIp6(p, true); q(); return true;
    case 5: w(K_RR_CNAME); dnsNameStr(off); q(); return true;
    case 2: w(K_RR_NS); dnsNameStr(off); q(); return true;
    case 12: w(K_RR_PTR); dnsNameStr(off); q(); return true;
    case 15: w(K_RR_MX); dnsNameStr(off + 2); w(K_RR_MX_PREF); u32dec(be16(p)); b(0x7d); return true;
    case 6: {
      const e1 = dnsNameEnd(m, d.dns.len, off);
      const e2 = dnsNameEnd(m, d.dns.len, e1);
      const f = m + <usize>e2;
      w(K_RR_SOA); u32dec(be32(f + 12)); w(K_RR_SOA_MNAME); dnsNameStr(off);
      w(K_RR_SOA_REFRESH); u32dec(be32(f + 4)); w(K_RR_SOA_RETRY); u32dec(be32(f + 8));
      w(K_RR_SOA_RNAME); dnsNameStr(e1); w(K_RR_SOA_SERIAL); u32dec(be32(f)); b(0x7d);
      return true;
    }
    case 33:
      w(K_RR_SRV); dnsNameStr(off + 6); w(K_RR_SRV_PORT); u32dec(be16(p + 4));
      w(K_RR_SRV_PRIO); u32dec(be16(p)); w(K_RR_SRV_WEIGHT); u32dec(be16(p + 2)); b(0x7d);
      return true;
    case 256:
      w(K_RR_URI); u32dec(be16(p)); w(K_RR_URI_TARGET); strBody(p + 4, len - 4);
      w(K_RR_URI_WEIGHT); u32dec(be16(p + 2)); b(0x7d);
      return true;
    case 41: {
      w(K_RR_OPT);
      let o = 0, n = 0;
      while (o + 4 <= len) {
        const ol = <i32>be16(p + <usize>(o + 2));
        if (n++) comma();
        w(K_RR_OPT_CODE); lp(dnsOptCodeName(be16(p + <usize>o))); w(K_RR_OPT_DATA);
        strBody(p + <usize>(o + 4), ol); q(); b(0x7d);
        o += 4 + ol;
      }
      b(0x5d);
      return true;
    }
    case 16: {
      // TXT character-strings (RFC 1035 §3.3.14); pcap-sidecar loses them (a bug), we keep them.
      w(K_RR_TXT);
      let o = 0, n = 0;
      while (o < len) {
        const sl = <i32>load<u8>(p + <usize>o);
        if (n++) comma();
        str(p + <usize>(o + 1), sl);
        o += 1 + sl;
      }
      b(0x5d);
      return true;
    }
  }
  return false;
}

function renderDns(dbg: bool): void {
  const r = d.dns;
  w(K_DNS);
  // Keys: answers, answers_count (DEBUG), id, op, questions, questions_count (DEBUG), response_code.
  if (r.anCount > 0) {
    w(K_ANSWERS);
    for (let i = 0; i < r.aN; i++) {
      if (i > 0) comma();
      b(0x7b);
      const type = <u32>unchecked(r.aType[i]);
      if (rdata(type, unchecked(r.aData[i]), <i32>unchecked(r.aDataLen[i]))) comma();
      w(K_CLASS_C); lp(dnsClassName(<u32>unchecked(r.aClass[i]))); w(K_NAME_Q); dnsNameStr(unchecked(r.aName[i]));
      w(K_TTL_N); u32dec(unchecked(r.aTtl[i])); w(K_TYPE_C); q(); lp(dnsTypeName(type)); q(); b(0x7d);
    }
    b(0x5d);
    if (dbg) { w(K_ANSWERS_COUNT); u32dec(r.anCount); }
    comma();
  } else if (dbg) { w(K_ANSWERS_COUNT0); u32dec(0); comma(); }
  w(K_DNS_ID); u32dec(r.id); w(K_DNS_OP); lp(dnsOpcodeName(dnsOpcode(r))); q();
  if (r.qdCount > 0) {
    w(K_QUESTIONS);
    for (let i = 0; i < r.qN; i++) {
      if (i > 0) comma();
      w(K_Q_CLASS); lp(dnsClassName(<u32>unchecked(r.qClass[i]))); w(K_NAME_Q); dnsNameStr(unchecked(r.qName[i]));
      w(K_TYPE_END); lp(dnsTypeName(<u32>unchecked(r.qType[i]))); q(); b(0x7d);
    }
    b(0x5d);
  }
  if (dbg) { w(K_QUESTIONS_COUNT); u32dec(r.qdCount); }
  w(K_RCODE); lp(dnsRcodeName(dnsRcode(r))); q(); b(0x7d); comma();
}

// ---- err, iface, labels, operation, message, meta, pcap ---------------------------------

const LAYER_NAMES = [frag("Ethernet"), frag("Linux SLL"), frag("Loopback"), frag("ARP"), frag("IPv4"), frag("IPv6"),
  frag("TCP"), frag("UDP"), frag("ICMPv4"), frag("ICMPv6"), frag("DNS")];
const WIRE_REASONS = new StaticArray<u64>(16);
function initReasons(): void { for (let i = 0; i < 16; i++) unchecked(WIRE_REASONS[i] = frag(wireReason(<WireErr>i))); }
initReasons();
const K_ERR_LAYER = frag("{\"layer\":\"");
const K_ERR_MSG = frag("\",\"msg\":\"");

function renderErr(): void {
  w(K_ERR);
  for (let i = 0; i < d.errCount; i++) {
    if (i > 0) comma();
    w(K_ERR_LAYER); w(unchecked(LAYER_NAMES[unchecked(d.errLayer[i])]));
    w(K_ERR_MSG); w(unchecked(WIRE_REASONS[unchecked(d.errCode[i])])); q(); b(0x7d);
  }
  b(0x5d); comma();
}

const K_ADDRS = frag("\"addrs\":[");
const K_INDEX = frag("\"index\":");
const K_NAME = frag(",\"name\":\"");

function renderIface(): void {
  w(K_IFACE);
  for (let i = 0; i < addrCount; i++) addrItem(i == 0, addrPtr(i), addrLength(i));
  if (addrCount > 0) { b(0x5d); comma(); }
  ifaceEnd(ifIdx, IFNAME_ESC, ifEscL);
}

// One element of iface.addrs (Go net.IP form), opening the array before the first.
function addrItem(first: bool, p: usize, len: i32): void {
  if (first) w(K_ADDRS); else comma();
  q(); if (len == 4) fmtIp4(p); else fmtIp6(p, true); q();
}

// The end of an iface object: "index":<index>,"name":"<escaped name>"},
function ifaceEnd(index: i32, nameEsc: usize, nameEscLen: i32): void {
  w(K_INDEX); i64dec(<i64>index); w(K_NAME); raw(nameEsc, nameEscLen); q(); b(0x7d); comma();
}

// The interface part of a message, " | @<index>/<escaped name>" (reference §2.4).
function msgIface(index: i32, nameEsc: usize, nameEscLen: i32): void {
  w(K_BAR); b(0x40); i64dec(<i64>index); b(0x2f); raw(nameEsc, nameEscLen);
}

function renderLabels(dbg: bool): void {
  if (!dbg) { w(K_LABELS_INFO); return; }
  w(K_LABELS_DBG); optStr(Opt.ID); w(K_LABELS_IFACE); ifName();
  w(K_LABELS_NAME); optStr(Opt.LOG_NAME); w(K_LABELS_TOOL);
}

// logging.googleapis.com/operation up to the flow: {"first":true,"id":"<id>/iface/<name>/flow/
function opStart(first: bool): void {
  w(K_OP);
  if (first) w(K_OP_FIRST);
  w(K_OP_ID);
  if (optIsSet(Opt.ID)) optStr(Opt.ID); else w(K_NIL);
  w(K_OP_IFACE); ifName(); w(K_OP_FLOW);
}

// logging.googleapis.com/operation after the flow: ","producer":"<log name>"},
function opEnd(): void { w(K_OP_PRODUCER); optStr(Opt.LOG_NAME); q(); b(0x7d); comma(); }

function renderMessage(num: u64, analysed: bool): void {
  w(K_MESSAGE); u64dec(num);
  if (att >= 0) osMsgSpan(att); else span(Span.MSG_IFACE);
  switch (d.kind) {
    case Kind.L2: break;
    case Kind.ARP: {
      w(K_MSG_FLOW); u64decCached(d.flow); w(K_MSG_ARP);
      arpIp(d.arp.spa, d.arp.plen); w(K_GT); arpIp(d.arp.tpa, d.arp.plen);
      break;
    }
    case Kind.ICMP: {
      w(K_MSG_FLOW); u64decCached(d.flow); w(d.transport == Transport.ICMP6 ? K_MSG_ICMP6 : K_MSG_ICMP4);
      srcAddr(); w(K_GT); dstAddr(); w(K_BAR); icmpMsg();
      break;
    }
    case Kind.L3: {
      w(K_MSG_FLOW); u64decCached(d.flow); w(K_BAR); srcAddr(); w(K_GT); dstAddr();
      break;
    }
    case Kind.UDP: {
      const has = d.transport == Transport.UDP;
      msgAddrs(false, has ? d.udp.srcPort : 0, has ? d.udp.dstPort : 0);
      break;
    }
    case Kind.TCP: {
      const t = d.tcp;
      msgAddrs(true, t.srcPort, t.dstPort);
      w(K_BAR); b(0x5b); flagStr(t.flags); w(K_MSG_LSA);
      u32dec(<u32>t.payloadLen); b(0x2f);
      // seq and ack as L4 wrote them moments ago in this record
      if (seqAckFor == serial) { raw(seqText, seqTextLen); b(0x2f); raw(ackText, ackTextLen); }
      else { u32dec(t.seq); b(0x2f); u32dec(t.ack); }
      if (analysed && A.suffixLen > 0) raw(A.suffixPtr(), A.suffixLen);
      break;
    }
  }
  q(); comma();
}

// " | flow:<id> | TCP | <src>:<port> \u003e <dst>:<port>"; the part after the flow id is
// cached by IPv4 addresses and ports.
function msgAddrs(tcp: bool, sp: u32, dp: u32): void {
  w(K_MSG_FLOW); u64decCached(d.flow);
  const v4 = d.net == NetKind.IPV4;
  const key = v4 ? (<u64>load<u32>(d.ip4.src) << 32) | <u64>load<u32>(d.ip4.dst) : 0;
  const aux = (<u64>sp << 16) | <u64>dp | (tcp ? 0x100000000 : 0);
  if (v4 && MSG_CACHE.emit(key, aux)) return;
  const s = pos;
  w(tcp ? K_MSG_TCP : K_MSG_UDP);
  srcAddr(); b(0x3a); u32dec(sp); w(K_GT); dstAddr(); b(0x3a); u32dec(dp);
  if (v4) MSG_CACHE.put(key, aux, s);
}

function renderMeta(dbg: bool): void {
  if (dbg) {
    w(K_META_DBG); u32dec(<u32>reader.pktCapLen); w(K_META_FLOW_C); u64decCached(d.metaFlow);
    w(K_META_LEN); u32dec(reader.pktOrigLen); w(K_META_TS); rfc3339(reader.pktSec, reader.pktNsec);
  } else { w(K_META_FLOW); u64decCached(d.metaFlow); }
  w(d.truncated ? K_META_TRUNC_T : K_META_TRUNC_F);
}

function renderPcap(dbg: bool, num: u64): void {
  if (dbg) span(Span.PCAP_DBG); else w(K_PCAP_NUM);
  u64dec(num); q(); b(0x7d); comma();
}

// Runs the stateful analysis of the current TCP segment.
function analyse(): void {
  const t = d.tcp;
  const v4 = d.net == NetKind.IPV4;
  A.analyzeTcp(ifIdx, v4 ? d.ip4.src : d.ip6.src, v4 ? d.ip4.dst : d.ip6.dst, v4 ? 4 : 16, t.srcPort, t.dstPort,
    t.seq, t.ack, t.flags, t.payload, t.payloadLen, reader.pktSec, reader.pktNsec);
}
