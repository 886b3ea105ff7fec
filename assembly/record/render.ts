// The record of one packet (reference §2–§3): runs the pipeline for the packet the reader just
// read (BPF, decode.ts, the software filters, attribution, the DEBUG analysis) and writes the
// record's keys in bytewise-sorted order, as Go's encoding/json sorts map keys — the one place
// that order lives. Each layer's object is written by its renderer in json/ (l2, arp, l3, tcp,
// udp, icmp, dns, err, labels, message, meta); this file owns the serial numbers, the capture
// interface and its cached spans, the texts cached per connection, and the record index hooks.
// Every payload-derived string goes through str(), which applies Go's escaping and replaces
// invalid UTF-8.

import { frag, w, b, raw, u32dec, u64decCached, i64dec, strBody, pos, setPos } from "../json/writer";
import { Span, span, spanStart, spanEnd, OSNAME_ESC, osSpanStart, osIfaceSpanEnd, osMsgSpanEnd, osIfaceSpan, IFNAME_ESC, ifEscL, escapeIfName, escapeFileName, fileName, TAIL_CACHE } from "../json/spans";
import * as d from "./decode";
import { Kind, Transport } from "./decode";
import { NetKind } from "../wire/link";
import { verbosity, Verbosity, Opt, optPtr, optLength, optIsSet, optEscPtr, optEscLength, ifaceIndex, optGen, osCount, osAddrTotal, osIfaceOf, osIfaceIndex, osNamePtr, osNameLength, osAddrPtr, osAddrLength, osAddrOwnerOf } from "./options";
import * as reader from "../capture/reader";
import * as A from "../flow/track";
import { observe } from "../flow/timers";
import { S } from "../facts/packet";
import { renderTiming, hasTiming } from "../json/timing";
import { HTTP_BUF, L7_BUF, TLS_BUF, R } from "../json/scratch";
import { finishH1 } from "../json/http1";
import { finishH2, hex16 } from "../json/http2";
import { finishTls } from "../json/tls";
import { renderL7 } from "../json/l7";
import * as E from "./entry";
import * as Sh from "./shard";
import * as T from "../flow/table";
import * as bpf from "../filter/bpf";
import * as Ra from "../ip/reassembly";
import { FRAG_DATAGRAMS } from "../config";
import { parseLink } from "../wire/link";
import { WireErr } from "../wire/errors";
import { be16 } from "../util/mem";
import { renderFragment } from "../json/fragment";
import * as Tn from "./tunnels";
import { renderEncap, K_TUNNEL, K_INNER } from "../json/tunnel";
import * as pf from "../filter/packet";
import { renderArp } from "../json/arp";
import { renderDns } from "../json/dns";
import { K_IFACE, K_TRACES, comma, formatAddrs, isLocal, optStr } from "../json/emit";
import { renderErr } from "../json/err";
import { renderIcmp } from "../json/icmp";
import { renderL2 } from "../json/l2";
import { renderL3 } from "../json/l3";
import { addrItem, ifaceEnd, opEnd, opStart, renderIface, renderLabels } from "../json/labels";
import { msgIface, renderMessage, MESSAGE_KEY_BYTES } from "../json/message";
import { renderMeta, renderPcap } from "../json/meta";
import { renderTcp } from "../json/tcp";
import { renderUdp } from "../json/udp";
// ---- constant fragments ----------------------------------------------------------------
const K_OPEN = frag("{");
const K_HTTP = frag("\"HTTP\":");
const K_L7 = frag("\"L7\":");
const K_TLS = frag("\"TLS\":");
const K_FILE = frag("\"file\":\"");
const K_FLOW = frag("\"flow\":\"");
const K_LOCAL_T = frag("\"local\":true,");
const K_LOCAL_F = frag("\"local\":false,");
const K_PCAP_DBG = frag("\"pcap\":{\"ctx\":\"");
const K_PCAP_ID = frag("\",\"id\":\"");
const K_PCAP_NUM_C = frag("\",\"num\":\"");
const K_SEVERITY = frag("\"severity\":\"ERROR\",");
const K_TS = frag("\"timestamp\":{\"nanos\":");
const K_TS_SEC = frag(",\"seconds\":");
const K_END = frag("}}\n");
const K_ANY = frag("any");
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
    escapeIfName(p, l);
    ifIsAny = l == 3 && memory.compare(p, <usize>(K_ANY & 0xffffffff), 3) == 0;
    changed = true;
  }
  if (changed || ifIdx != spanIf || optGen != spanGen) renderSpans();
}

// Parts of a record made only of options and the interface (labels, operation id prefix, pcap
// context, ...; json/spans.ts): rendered once per change of interface or options, copied into
// each record.
let spanIf: i32 = -1;
let spanGen: u32 = 0xffffffff;

function renderSpans(): void {
  const save = pos;
  spanStart(Span.IFACE); renderIface(ifIdx); spanEnd(Span.IFACE);
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
let osSpanGen: u32 = 0xffffffff;

function renderOsSpans(): void {
  for (let i = 0; i < osCount; i++) {
    setPos(OSNAME_ESC); strBody(osNamePtr(i), osNameLength(i));
    const nameL = <i32>(pos - OSNAME_ESC);
    osSpanStart(i);
    // reference §2.2 iface: the owning interface's index, name and addresses
    w(K_IFACE);
    let n = 0;
    for (let j = 0; j < osAddrTotal; j++) if (osAddrOwnerOf(j) == i) addrItem(n++ == 0, osAddrPtr(j), osAddrLength(j));
    if (n > 0) { b(0x5d); comma(); }
    ifaceEnd(osIfaceIndex(i), OSNAME_ESC, nameL);
    osIfaceSpanEnd(i);
    // reference §2.4: the message prefix names the owning interface
    msgIface(osIfaceIndex(i), OSNAME_ESC, nameL);
    osMsgSpanEnd(i);
  }
  osSpanGen = optGen;
}

// Serials whose records are written (setRenderRange): every one by default.
let renderFrom: u64 = 0;
let renderTo: u64 = U64.MAX_VALUE;
/** Writes only the records numbered from..to (inclusive); every packet is still analysed. */
export function setRenderRange(from: u64, to: u64): void { renderFrom = from; renderTo = to; }

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

/**
 * Renders the record of the current packet (reader globals) into the output window; false when
 * a filter rejected it. A rejected packet still consumes its serial (reference §7), so pcap.num
 * stays the packet's position in the capture, and it never reaches the stateful analysis.
 */
export function renderPacket(): bool {
  observe(reader.pktSec, reader.pktNsec);
  const dbg = verbosity == Verbosity.DEBUG;
  const parallel = Sh.count > 1;
  // One thread of a parallel run (record/shard.ts): another thread's packet only takes its
  // serial — but every thread decodes at DEBUG (a TCP packet goes by its connection) and feeds
  // every IP fragment to its reassembler, so that each holds what one thread would.
  if (parallel && !dbg && !Sh.ownsSerial(serial) && !mayBeFragment()) { serial++; return false; }
  if (bpf.active() && !bpf.accepts(reader.pktLink, reader.pktPtr, reader.pktCapLen, reader.pktOrigLen)) { serial++; return false; }
  setInterface();
  d.decode(reader.pktLink, reader.pktPtr, reader.pktCapLen, reader.pktOrigLen, ifIdx);
  if (pf.active && !softFilter()) { serial++; return false; }
  const outerFragment = d.fragment;
  if (outerFragment) reassemble(serial);
  const outerAtt = attribute();
  // A tunnel's TCP: DEBUG follows the innermost packet's connection (keyed by its tunnels).
  const tunneled = Tn.count > 0 && Tn.innerLinkType() >= 0;
  let innerTcp = false;
  if (dbg && tunneled) { d.decodeInner(); innerTcp = d.transport == Transport.TCP; }
  if (parallel && !ownPacket(dbg, innerTcp ? Tn.scope : 0)) { serial++; return false; }
  att = outerAtt;
  const num = serial++;
  if (!outerFragment) fragState = -1;

  // Stateful analysis (DEBUG, TCP): HTTP/1.x, HTTP/2, trace correlation.
  if (innerTcp) {
    analyse(Tn.scope);
    // The record's own layers are the outer ones.
    d.decode(reader.pktLink, reader.pktPtr, reader.pktCapLen, reader.pktOrigLen, ifIdx);
  } else if (dbg && tunneled) d.decode(reader.pktLink, reader.pktPtr, reader.pktCapLen, reader.pktOrigLen, ifIdx);
  if (d.net == NetKind.IPV4 || d.net == NetKind.IPV6) formatAddrs();
  const analysed = dbg && (d.transport == Transport.TCP || innerTcp);
  if (analysed && !innerTcp) analyse(0);
  // A host re-rendering some records (setRenderRange) has the analysis run on every packet, so
  // the state is the same, but only the records it asked for are written.
  if (num < renderFrom || num > renderTo) return false;
  const part = analysed ? T.keyPart() : -1;
  if (analysed) renderAnalysis();

  const index = E.enabled;
  if (index) E.begin(pos);
  const start = pos;
  w(K_OPEN);
  if (d.net == NetKind.ARP) renderArp();
  if (d.hasDns) renderDns(dbg);
  if (analysed && R.httpLen > 0) { w(K_HTTP); if (index) E.http(pos, R.httpLen); raw(HTTP_BUF, R.httpLen); comma(); }
  if (d.transport == Transport.ICMP4 || d.transport == Transport.ICMP6) renderIcmp(dbg);
  if (d.link.hasL2()) renderL2();
  if (d.net == NetKind.IPV4 || d.net == NetKind.IPV6) renderL3(dbg);
  if (d.transport == Transport.TCP) renderTcp(dbg, num);
  else if (d.transport == Transport.UDP) renderUdp();
  if (analysed && R.l7Len > 0) { w(K_L7); raw(L7_BUF, R.l7Len); comma(); }
  if (analysed && R.tlsLen > 0) { w(K_TLS); raw(TLS_BUF, R.tlsLen); comma(); }
  if (d.errCount > 0) renderErr();
  if (reader.srcFile >= 0) renderFile();
  // flow, iface, local, labels, operation: the same for every packet of a flow, direction and
  // attributed interface (two directions of a flow may be attributed to different interfaces).
  const hasLocal = d.kind == Kind.TCP || d.kind == Kind.UDP;
  const local = hasLocal && isLocal();
  if (d.kind != Kind.L2 && num != 1 && fragState < 0) {
    const aux = <u64>d.kind | (hasLocal ? (local ? 0x10 : 0x20) : 0) | (dbg ? 0x40 : 0) | (<u64>(att + 1) << 8);
    if (!TAIL_CACHE.emit(d.flow, aux)) { const s = pos; flowTail(dbg, num, hasLocal, local); TAIL_CACHE.put(d.flow, aux, s); }
  } else flowTail(dbg, num, hasLocal, local);
  if (analysed && !S.traceInFrames && S.topValid) writeTopTrace();
  if (!analysed || S.hasMessage) {
    const m = pos + <usize>MESSAGE_KEY_BYTES;
    renderMessage(num, analysed, att);
    if (index) E.message(m, <i32>(pos - 2 - m)); // the text ends before `",`
  }
  renderMeta(dbg);
  renderPcap(dbg, num);
  if (d.errCount > 0) w(K_SEVERITY);
  w(K_TS); u32dec(<u32>reader.pktNsec); w(K_TS_SEC); i64dec(reader.pktSec);
  // `timing` (an exchange or TLS handshake that ended in this packet) sorts between timestamp and tunnel.
  const timed = analysed && hasTiming();
  if (timed) {
    b(0x7d);
    // The index names the value, after `,"timing":` (10 bytes): hosts join it to its exchange.
    const t0 = pos + 10;
    renderTiming();
    if (index) E.timing(t0, <i32>(pos - t0));
  }
  if (Tn.count > 0) {
    if (!timed) b(0x7d);
    renderTunnel(dbg, num, tunneled); b(0x7d); b(0x0a);
    // The index entry describes the record's own (outer) layers: decode them again.
    if (index && tunneled) d.decode(reader.pktLink, reader.pktPtr, reader.pktCapLen, reader.pktOrigLen, ifIdx);
  } else if (timed) { b(0x7d); b(0x0a); } else w(K_END);
  if (index) E.commit(pos, num, d.errCount > 0, part);
  if (Sh.marking) Sh.mark(num, <i32>(pos - start));
  return true;
}

// Whether the decoded packet is this thread's (record/shard.ts). At DEBUG a TCP packet (also a
// reassembled one) goes by its connection's part, the one flow/track.ts files its state under;
// anything else goes by its serial.
function ownPacket(dbg: bool, scope: u32): bool {
  if (dbg && d.transport == Transport.TCP) {
    const v4 = d.net == NetKind.IPV4;
    T.makeKey(<i32>(<u32>ifIdx ^ scope), v4 ? d.ip4.src : d.ip6.src, v4 ? d.ip4.dst : d.ip6.dst, v4 ? 4 : 16, d.tcp.srcPort, d.tcp.dstPort);
    return Sh.ownsPart(T.keyPart());
  }
  return Sh.ownsSerial(serial);
}

// Whether the packet may be an IP fragment, from its link and IP headers alone (every IPv6
// packet may be: its Fragment header can follow other extension headers).
function mayBeFragment(): bool {
  if (parseLink(reader.pktLink, reader.pktPtr, reader.pktCapLen, d.link, d.linkFlags()) != WireErr.OK || !d.link.known) return false;
  if (d.link.net == NetKind.IPV6) return true;
  if (d.link.net != NetKind.IPV4 || reader.pktCapLen < d.link.hdrLen + 8) return false;
  return (be16(reader.pktPtr + <usize>(d.link.hdrLen + 6)) & 0x3fff) != 0; // MF or a fragment offset (RFC 791 §3.1)
}

// ---- IP reassembly ------------------------------------------------------------------------
// Every fragment that passes the filters goes to the reassembler (ip/reassembly.ts), kept apart
// per capture interface; the one that completes a datagram has the datagram's transport and DNS
// decoded on its record, as tshark shows them. Each fragment's record says where it belongs.

/** What the reassembler said of the current packet (FragResult), or -1 when it is no fragment. */
let fragState: i32 = -1;
/** Serial of the first fragment seen of the packet's datagram, its fragments held and its length once whole. */
let fragFirst: u64 = 0;
let fragHeld: i32 = 0;
let fragWhole: i32 = 0;
// The serial of each reassembly slot's first fragment, for its generation.
const slotFirst = new StaticArray<u64>(FRAG_DATAGRAMS);
const slotGen = new StaticArray<u32>(FRAG_DATAGRAMS);

function reassemble(num: u64): void {
  const v4 = d.net == NetKind.IPV4;
  const r = Ra.fragAdd(<u32>ifIdx, !v4, v4 ? d.ip4.src : d.ip6.src, v4 ? d.ip4.dst : d.ip6.dst, d.fragId,
    v4 ? d.ip4.proto : d.ip6.proto, d.fragOffset, d.fragMore, d.fragPtr, d.fragLen, reader.pktSec * 1000000000 + <i64>reader.pktNsec);
  fragState = <i32>r; fragHeld = 0; fragWhole = 0; fragFirst = num;
  const slot = Ra.fragIndex();
  if (slot >= 0) {
    if (unchecked(slotGen[slot]) != Ra.fragGen() || unchecked(slotFirst[slot]) > num) { unchecked(slotGen[slot] = Ra.fragGen()); unchecked(slotFirst[slot] = num); }
    fragFirst = unchecked(slotFirst[slot]);
    fragHeld = Ra.fragCountHeld();
  }
  if (r == Ra.FragResult.COMPLETE) {
    fragWhole = Ra.fragDatagramLen();
    d.decodeTransport(<u32>Ra.fragProto(), Ra.fragDatagram(), fragWhole);
  }
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


// The source file of a merged capture's packet (src/merge.ts), by its base name.
let fileGen: u32 = 0xffffffff;
function renderFile(): void {
  if (fileGen != reader.srcGen) { escapeFileName(reader.SRC_NAME, reader.srcNameLen); fileGen = reader.srcGen; }
  w(K_FILE); fileName(); b(0x22); b(0x2c);
}

function flowTail(dbg: bool, num: u64, hasLocal: bool, local: bool): void {
  if (d.kind != Kind.L2) { w(K_FLOW); u64decCached(d.flow); b(0x22); b(0x2c); }
  if (fragState >= 0) renderFragment(fragState, fragFirst, d.fragOffset, d.fragMore, fragHeld, fragWhole);
  // Reference §2.2/§3.3: iface names the attributed interface; labels and the operation id keep
  // the capture interface, meta.flow and flow its index, local its addresses (none on `any`, §3.4).
  if (dbg) { if (att >= 0) osIfaceSpan(att); else span(Span.IFACE); }
  if (hasLocal) w(local ? K_LOCAL_T : K_LOCAL_F);
  // labels and operation; the first packet's operation also says "first"
  if (num == 1) { renderLabels(dbg); opStart(true); } else span(dbg ? Span.LABELS_OP_DBG : Span.LABELS_OP_INFO);
  w(unchecked(K_KIND[<i32>d.kind])); u64decCached(d.kind == Kind.L2 ? d.metaFlow : d.flow); span(Span.OP_END);
}

// ---- the DEBUG analysis ------------------------------------------------------------------

// Runs the stateful analysis of the current TCP segment.
function analyse(scope: u32): void {
  const t = d.tcp;
  const v4 = d.net == NetKind.IPV4;
  // The record's serial (pcap.num): exchanges name the records with their heads by it, the same
  // for every thread count and chunking (the analysis' own packet count is not).
  S.pNum = serial - 1;
  A.analyzeTcp(<i32>(<u32>ifIdx ^ scope), v4 ? d.ip4.src : d.ip6.src, v4 ? d.ip4.dst : d.ip6.dst, v4 ? 4 : 16, t.srcPort, t.dstPort,
    t.seq, t.ack, t.flags, t.window, t.payload, t.payloadLen, reader.pktSec, reader.pktNsec);
}

// Renders the objects of the analysis' facts (facts/): HTTP, L7, TLS and the message's suffix.
// Each later one replaces what an earlier one wrote in the same buffer, as the analysis decided.
@inline function renderAnalysis(): void {
  R.httpLen = 0; R.l7Len = 0; R.suffixLen = 0; R.tlsLen = 0;
  if (S.l7Raw && (!S.rendered || S.renderSkipped)) renderL7();
  if (S.rendered) finishH1();
  if (S.h2Object) finishH2();
  if (S.tlsObject) finishTls();
}

// The top-level trace keys (spanId, trace, trace_sampled), each followed by a comma.
function writeTopTrace(): void {
  if (S.topHasSpan) { w(K_T_SPAN); hex16(S.topSpan); b(0x22); b(0x2c); }
  w(K_T_TRACE); const t0 = pos - 9; // the value starts at "projects/"
  raw(optEscPtr(Opt.PROJECT), optEscLength(Opt.PROJECT)); w(K_TRACES); raw(S.topTraceBuf, S.topTraceLen);
  if (E.enabled) E.trace(t0, <i32>(pos - t0));
  b(0x22); b(0x2c);
  w(S.topSampled ? K_T_SAMPLED_T : K_T_SAMPLED_F);
}
const K_T_SPAN = frag("\"logging.googleapis.com/spanId\":\"");
const K_T_TRACE = frag("\"logging.googleapis.com/trace\":\"projects/");
const K_T_SAMPLED_T = frag("\"logging.googleapis.com/trace_sampled\":true,");
const K_T_SAMPLED_F = frag("\"logging.googleapis.com/trace_sampled\":false,");

// The tunnel object, last in the record (sorted after timestamp): the encapsulations, then the
// innermost packet's layers, decoded again into the decode chain (the record's own layers are
// written by then) and written by the same renderers: DNS, ICMP, L2, L3, L4, err.
function renderTunnel(dbg: bool, num: u64, inner: bool): void {
  w(K_TUNNEL); renderEncap();
  if (inner) {
    d.decodeInner();
    if (d.net == NetKind.IPV4 || d.net == NetKind.IPV6) formatAddrs();
    w(K_INNER);
    const mark = pos;
    if (d.hasDns) renderDns(dbg);
    if (d.transport == Transport.ICMP4 || d.transport == Transport.ICMP6) renderIcmp(dbg);
    if (d.link.hasL2()) renderL2();
    if (d.net == NetKind.IPV4 || d.net == NetKind.IPV6) renderL3(dbg);
    if (d.transport == Transport.TCP) renderTcp(dbg, num);
    else if (d.transport == Transport.UDP) renderUdp();
    if (d.errCount > 0) renderErr();
    if (pos > mark) setPos(pos - 1); // the last layer's comma
    b(0x7d);
  }
  b(0x7d);
}