// Exchange timing from capture timestamps (issue 24; README "Output", `timing`): per connection
// its handshake (SYN, SYN/ACK, the client's ACK), the TLS handshake, who reset it; per direction
// the segments it retransmitted, sent out of order, or sent advertising a zero window; per
// exchange (flow/conn.ts Exchange: an HTTP/1 request and response, or an HTTP/2 stream) the
// times of its request's and response's first and last bytes, their sizes, the serials of the
// records with their heads, and the direction counters at its start. When an exchange ends (or
// a reset cuts it), timingOf() copies what it measured into the packet's facts (facts/timing.ts).
//
// Which times are known is said by explicit bits (C_*, D_*, E_*), never by a time of 0: a
// capture's clock may read the epoch.
//
// Segments are classified as Wireshark 4.0's TCP analysis does (epan/dissectors/packet-tcp.c,
// tcp_analyze_sequence_number), for segments with data or a SYN or FIN (both take a sequence
// number, RFC 9293 §3.4): a zero-window probe (1 byte at the next sequence number while the
// other side's window is 0) and a keep-alive (0 or 1 byte just behind it, no SYN/FIN/RST) are
// neither retransmitted nor out of order; a segment whose data the other side had already
// acknowledged is a (spurious) retransmission; one behind the highest sequence number seen from
// its side is out of order when it came sooner than the connection's first round trip (the
// last SYN to the first ACK without SYN; 3 ms when unknown) after the segment that reached that
// number and does not end exactly there, else a retransmission — except a segment of more than
// one byte starting one byte behind it (after a zero-window probe). Not modelled: Wireshark's
// fast retransmission, which only re-labels as retransmitted a segment it would call out of
// order when two duplicate ACKs came within 20 ms before it. All state is per connection, per
// direction and per exchange (sized with them: no allocation per packet).

import { Conn, Dir, Exchange, Mode, ex } from "./conn";
import { S } from "../facts/packet";
import * as F from "../facts/timing";

/** Wireshark's out-of-order threshold when the first round trip is unknown. */
const OOO_DEFAULT_NS: i64 = 3000000;

/** Conn.tbits: SYN, SYN/ACK, handshake ACK, ClientHello, first application data seen; rttNs holds the last SYN's time / the first round trip; later ACKs may still complete the handshake or the round trip. */
export const C_SYN: u8 = 1, C_SYNACK: u8 = 2, C_HSACK: u8 = 4, C_TLS_START: u8 = 8, C_TLS_END: u8 = 16, C_MRU_SYN: u8 = 32, C_RTT: u8 = 64, C_PEND: u8 = 128;
/** Dir.tbits: the direction's last segment advertised a zero window; its lastAck is known. */
export const D_WIN0: u8 = 1, D_ACK: u8 = 2;
/** Exchange.tbits: request first / last byte, response first / last byte, request / response head serial known; its timing was shown. */
export const E_REQ_FIRST: u8 = 1, E_REQ_LAST: u8 = 2, E_RES_FIRST: u8 = 4, E_RES_LAST: u8 = 8, E_REQ_NUM: u8 = 16, E_RES_NUM: u8 = 32, E_TIMED: u8 = 64;

/** The current packet's capture time in nanoseconds. */
@inline export function nowNs(): i64 { return S.pSec * 1000000000 + <i64>S.pNsec; }

// The handshake, the first round trip and resets: run for segments with SYN, FIN or RST, and
// while the connection still waits for its handshake ACK or first round trip (C_PEND).
function handshake(c: Conn, dir: i32, flags: u32, now: i64): void {
  const syn = (flags & 0x02) != 0, ackf = (flags & 0x10) != 0;
  let cb = c.tbits;
  if (syn && !ackf) {
    if ((cb & C_SYN) == 0) { c.synNs = now; cb |= C_SYN; }
    if ((cb & C_RTT) == 0) { c.rttNs = now; cb |= C_MRU_SYN; }
  } else if (syn) { if ((cb & (C_SYNACK | C_SYN)) == C_SYN) { c.synAckNs = now; cb |= C_SYNACK; } }
  else if (ackf) {
    if ((cb & (C_SYNACK | C_HSACK)) == C_SYNACK && dir == c.client) { c.hsAckNs = now; cb |= C_HSACK; }
    // Wireshark's first round trip: the first ACK without SYN, either way, after a SYN.
    if ((cb & (C_MRU_SYN | C_RTT)) == C_MRU_SYN) { c.rttNs = now - c.rttNs; cb |= C_RTT; }
  }
  // Still something to learn from later ACKs: the handshake ACK, or the first round trip.
  if ((cb & (C_SYNACK | C_HSACK)) == C_SYNACK || (cb & (C_MRU_SYN | C_RTT)) == C_MRU_SYN) cb |= C_PEND; else cb &= ~C_PEND;
  c.tbits = cb;
  if ((flags & 0x04) != 0 && c.rstDir < 0) c.rstDir = dir;
}

// A segment of d starting behind its highest sequence number (next): a keep-alive, a spurious
// retransmission, out of order, or a retransmission (end: where it ends, SYN and FIN included).
function behind(c: Conn, d: Dir, o: Dir, seq: u32, plen: i32, flags: u32, end: u32, now: i64): void {
  const next = d.next;
  if (plen <= 1 && seq == next - 1 && (flags & 0x07) == 0) return; // a keep-alive
  if (plen > 0 && (o.tbits & D_ACK) != 0 && <i32>(seq + <u32>plen - o.lastAck) <= 0) { d.retrans++; return; }
  if (plen > 1 && seq == next - 1) return; // new data after a zero-window probe
  const rtt = (c.tbits & C_RTT) != 0 ? c.rttNs : OOO_DEFAULT_NS;
  if (now - d.nextNs < rtt && next != end) d.outOfOrder++; else d.retrans++;
}

/**
 * Notes a segment of direction dir (before the analysis moves its stream on): the handshake,
 * the first round trip, zero windows, resets, and whether it was retransmitted or out of order.
 * Its common case (no SYN, FIN or RST, in order) takes few instructions: it runs for every
 * analysed segment.
 */
@inline export function segment(c: Conn, dir: i32, seq: u32, ack: u32, flags: u32, win: u32, plen: i32, now: i64): void {
  if ((flags & 0x07) != 0 || (c.tbits & C_PEND) != 0) handshake(c, dir, flags, now);
  const d = unchecked(c.d[dir]), o = unchecked(c.d[1 - dir]);
  const next = d.next, known = d.known;
  // A zero-window probe is not a zero window, nor does it move the highest sequence number on.
  const zwp = plen == 1 && seq == next && known && (o.tbits & D_WIN0) != 0;
  // Wireshark's tcp.analysis.zero_window: a zero window not on a SYN, FIN or RST.
  if (win == 0 && (flags & 0x07) == 0 && !zwp) d.zeroWin++;
  const sf: u32 = (flags & 0x03) != 0 ? 1 : 0;
  if ((<u32>plen | sf) != 0 && !zwp) {
    const end = seq + <u32>plen + sf;
    if (known && <i32>(seq - next) < 0) behind(c, d, o, seq, plen, flags, end, now);
    else if (plen > 0 && (o.tbits & D_ACK) != 0 && <i32>(end - sf - o.lastAck) <= 0) d.retrans++;
    // When the highest sequence number moved on (Wireshark's nextseqtime).
    if (!known || <i32>(end - next) > 0) d.nextNs = now;
  } else if (!zwp && (!known || <i32>(seq - next) > 0)) d.nextNs = now;
  d.lastAck = ack;
  d.tbits = (d.tbits & ~(D_ACK | D_WIN0)) | ((flags & 0x10) != 0 ? D_ACK : 0) | (win == 0 ? D_WIN0 : 0);
}

/** Notes in d the counts of every direction as a message begins (HTTP/1: at its first byte, kept in its direction's Dir until its exchange opens). */
export function snapDir(c: Conn, d: Dir, now: i64): void {
  const a = unchecked(c.d[0]), z = unchecked(c.d[1]);
  d.msgNs = now;
  d.snapRetr0 = a.retrans; d.snapOoo0 = a.outOfOrder; d.snapZw0 = a.zeroWin;
  d.snapRetr1 = z.retrans; d.snapOoo1 = z.outOfOrder; d.snapZw1 = z.zeroWin;
}

/** Opens exchange e's timing with the snapshot d holds (snapDir); its request head is in this packet. */
export function startTiming(e: Exchange, d: Dir): void {
  e.reqFirstNs = d.msgNs; e.reqBytes = 0; e.resBytes = 0;
  e.reqNum = S.pNum; e.tbits = E_REQ_FIRST | E_REQ_NUM;
  e.snapRetr0 = d.snapRetr0; e.snapOoo0 = d.snapOoo0; e.snapZw0 = d.snapZw0;
  e.snapRetr1 = d.snapRetr1; e.snapOoo1 = d.snapOoo1; e.snapZw1 = d.snapZw1;
}

/** Opens exchange e's timing now, its request head in this packet (HTTP/2: the request's HEADERS). */
export function startTimingNow(c: Conn, e: Exchange): void {
  const a = unchecked(c.d[0]), z = unchecked(c.d[1]);
  e.reqFirstNs = nowNs(); e.reqNum = S.pNum; e.tbits = E_REQ_FIRST | E_REQ_NUM;
  e.snapRetr0 = a.retrans; e.snapOoo0 = a.outOfOrder; e.snapZw0 = a.zeroWin;
  e.snapRetr1 = z.retrans; e.snapOoo1 = z.outOfOrder; e.snapZw1 = z.zeroWin;
}

/** The response's first byte came at t (HTTP/1: its head's first segment; HTTP/2: its first HEADERS). */
@inline export function responseFirst(e: Exchange, t: i64): void {
  if ((e.tbits & E_RES_FIRST) == 0) { e.resFirstNs = t; e.tbits |= E_RES_FIRST; }
}

/** The final response head is in this packet. */
@inline export function responseHead(e: Exchange): void { e.resNum = S.pNum; e.tbits |= E_RES_NUM; }

/**
 * Copies exchange e's timing into a slot of the packet's facts, once per exchange; returns the
 * slot (-1: the packet's slots are used up, counted in the facts, or it was shown already).
 * kind: TimingKind.EXCHANGE (HTTP/1) or STREAM (HTTP/2). top: it is the record's top-level
 * `timing` (HTTP/1's first).
 */
export function timingOf(c: Conn, e: Exchange, kind: F.TimingKind, top: bool): i32 {
  if ((e.tbits & (E_TIMED | E_REQ_FIRST)) != E_REQ_FIRST) return -1;
  e.tbits |= E_TIMED;
  const i = F.timingTake();
  if (i < 0) { if (kind == F.TimingKind.STREAM) F.timingLoseStream(); else F.timingLoseEx(); return -1; }
  const cl = c.client >= 0 ? c.client : 0;
  const dc = unchecked(c.d[cl]), ds = unchecked(c.d[1 - cl]);
  const eb = e.tbits, cb = c.tbits;
  // The connection's setup belongs to its first exchange (as HAR's `connect`).
  const first = e.pos == 0;
  let bits: u16 = F.T_START;
  if (first && (cb & C_SYN) != 0) bits |= F.T_SYN;
  if ((cb & C_SYNACK) != 0) bits |= F.T_SYNACK;
  if ((cb & C_HSACK) != 0) bits |= F.T_ACK;
  if ((eb & E_REQ_LAST) != 0) bits |= F.T_REQ_LAST;
  if ((eb & E_RES_FIRST) != 0) bits |= F.T_RES_FIRST;
  if ((eb & E_RES_LAST) != 0) bits |= F.T_RES_LAST;
  if ((eb & E_REQ_NUM) != 0) bits |= F.T_REQ_NUM;
  if ((eb & E_RES_NUM) != 0) bits |= F.T_RES_NUM;
  unchecked(F.tKind[i] = <u8>kind); unchecked(F.tBits[i] = bits);
  unchecked(F.tReqFirst[i] = e.reqFirstNs); unchecked(F.tReqLast[i] = e.reqLastNs);
  unchecked(F.tResFirst[i] = e.resFirstNs); unchecked(F.tResLast[i] = e.resLastNs);
  unchecked(F.tReqBytes[i] = e.reqBytes); unchecked(F.tResBytes[i] = e.resBytes);
  unchecked(F.tReqNum[i] = e.reqNum); unchecked(F.tResNum[i] = e.resNum);
  unchecked(F.tSyn[i] = c.synNs); unchecked(F.tSynAck[i] = c.synAckNs); unchecked(F.tAck[i] = c.hsAckNs);
  const rc = cl == 0 ? e.snapRetr0 : e.snapRetr1, rs = cl == 0 ? e.snapRetr1 : e.snapRetr0;
  const oc = cl == 0 ? e.snapOoo0 : e.snapOoo1, os = cl == 0 ? e.snapOoo1 : e.snapOoo0;
  const zc = cl == 0 ? e.snapZw0 : e.snapZw1, zs = cl == 0 ? e.snapZw1 : e.snapZw0;
  unchecked(F.tRetrC[i] = dc.retrans - rc); unchecked(F.tRetrS[i] = ds.retrans - rs);
  unchecked(F.tOooC[i] = dc.outOfOrder - oc); unchecked(F.tOooS[i] = ds.outOfOrder - os);
  unchecked(F.tZwC[i] = dc.zeroWin - zc); unchecked(F.tZwS[i] = ds.zeroWin - zs);
  unchecked(F.tReset[i] = c.rstDir < 0 ? 0 : c.rstDir == cl ? 1 : 2);
  unchecked(F.tStream[i] = e.stream); unchecked(F.tResetCode[i] = 0);
  if (top) F.timingSetTop(i);
  return i;
}

/** The TLS handshake of connection c completed in this packet: its timing is the record's top-level `timing`. */
export function tlsTiming(c: Conn): void {
  const i = F.timingTake();
  if (i < 0) return;
  const cb = c.tbits;
  let bits: u16 = 0;
  if ((cb & C_SYN) != 0) bits |= F.T_SYN;
  if ((cb & C_SYNACK) != 0) bits |= F.T_SYNACK;
  if ((cb & C_HSACK) != 0) bits |= F.T_ACK;
  unchecked(F.tKind[i] = <u8>F.TimingKind.TLS); unchecked(F.tBits[i] = bits);
  unchecked(F.tSyn[i] = c.synNs); unchecked(F.tSynAck[i] = c.synAckNs); unchecked(F.tAck[i] = c.hsAckNs);
  unchecked(F.tTlsStart[i] = c.tlsStartNs); unchecked(F.tTlsEnd[i] = c.tlsEndNs);
  const cl = c.client >= 0 ? c.client : 0;
  const dc = unchecked(c.d[cl]), ds = unchecked(c.d[1 - cl]);
  unchecked(F.tRetrC[i] = dc.retrans); unchecked(F.tRetrS[i] = ds.retrans);
  unchecked(F.tOooC[i] = dc.outOfOrder); unchecked(F.tOooS[i] = ds.outOfOrder);
  unchecked(F.tZwC[i] = dc.zeroWin); unchecked(F.tZwS[i] = ds.zeroWin);
  unchecked(F.tReset[i] = c.rstDir < 0 ? 0 : c.rstDir == cl ? 1 : 2);
  unchecked(F.tStream[i] = 0); unchecked(F.tResetCode[i] = 0);
  F.timingSetTop(i);
}

/**
 * The connection was reset (its first RST, in this packet), or the server's FIN ended an
 * HTTP/2 connection: every exchange whose response had not ended and whose timing was not shown
 * shows its timing so far on this record — HTTP/1: the oldest at top level, the others in
 * `more`; HTTP/2: in `streams`.
 */
export function cutTiming(c: Conn): void {
  const h2 = c.mode == Mode.HTTP2;
  if (!h2 && c.mode != Mode.HTTP1) return;
  let i = c.exHead;
  while (i >= 0) {
    const e = ex(i);
    if (e.hasReq && (e.tbits & (E_RES_LAST | E_TIMED)) == 0) {
      if (h2) timingOf(c, e, F.TimingKind.STREAM, false);
      else timingOf(c, e, F.TimingKind.EXCHANGE, F.timingTop < 0);
    }
    i = e.cnext;
  }
}
