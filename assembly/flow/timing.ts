// Exchange timing from capture timestamps (issue 24; README "Output", `timing`): per connection
// its handshake (SYN, SYN/ACK, the client's ACK), the TLS handshake, who reset it; per direction
// the segments it retransmitted, sent out of order, or sent advertising a zero window; per
// exchange (flow/conn.ts Exchange) the times of its request's and response's first and last
// bytes, their sizes, and the direction counters at its start. When an exchange ends (or a reset
// cuts it), timingOf() copies what it measured into the packet's facts (facts/timing.ts).
//
// Retransmission and out-of-order are told apart as Wireshark's TCP analysis does
// (epan/dissectors/packet-tcp.c, tcp_analyze_sequence_number): a segment carrying data behind
// the highest sequence number seen from its side is out of order when it comes sooner than
// the connection's first round trip (SYN to the handshake ACK; 3 ms when unknown) after the
// segment that reached that highest number, else a retransmission; a one-byte segment just
// behind it is a keep-alive, neither. Only segments with data count. All state is per
// connection and per exchange (sized with them: no allocation per packet).

import { Conn, Dir, Exchange, Mode, ex } from "./conn";
import { S } from "../facts/packet";
import * as F from "../facts/timing";

/** Wireshark's out-of-order threshold when the first round trip is unknown. */
const OOO_DEFAULT_NS: i64 = 3000000;

/** The current packet's capture time in nanoseconds. */
@inline export function nowNs(): i64 { return S.pSec * 1000000000 + <i64>S.pNsec; }

/** Notes the handshake, zero windows and resets of a segment of direction dir (before its payload is fed). */
export function segmentFlags(c: Conn, dir: i32, flags: u32, win: u32, now: i64): void {
  const syn = (flags & 0x02) != 0, ackf = (flags & 0x10) != 0, fin = (flags & 0x01) != 0, rst = (flags & 0x04) != 0;
  if (syn && !ackf) { if (c.synNs == 0) c.synNs = now; }
  else if (syn && ackf) { if (c.synAckNs == 0 && c.synNs != 0) c.synAckNs = now; }
  else if (ackf && c.synAckNs != 0 && c.hsAckNs == 0 && dir == c.client) c.hsAckNs = now;
  // Wireshark's tcp.analysis.zero_window: a zero window not on a SYN, FIN or RST.
  if (win == 0 && !syn && !fin && !rst) unchecked(c.d[dir]).zeroWin++;
  if (rst && c.rstDir < 0) c.rstDir = dir;
}

/** Notes a data segment of direction d whose first byte is diff bytes past the next expected one (diff < 0: behind it), before the stream moves on. */
export function segmentData(c: Conn, d: Dir, diff: i32, plen: i32, now: i64): void {
  if (diff >= 0) { d.nextNs = now; return; }
  if (plen == 1 && diff == -1) return; // a keep-alive
  const rtt = c.hsAckNs != 0 ? c.hsAckNs - c.synNs : OOO_DEFAULT_NS;
  if (now - d.nextNs < rtt) d.outOfOrder++; else d.retrans++;
  if (plen + diff > 0) d.nextNs = now; // it also carries new bytes
}

/** Starts an exchange's counters: the directions' counts as its request begins (HTTP/1: at its first byte, kept in the client's Dir). */
export function snapDir(c: Conn, d: Dir, now: i64): void {
  const a = unchecked(c.d[0]), z = unchecked(c.d[1]);
  d.msgNs = now;
  d.snapRetr0 = a.retrans; d.snapOoo0 = a.outOfOrder; d.snapZw0 = a.zeroWin;
  d.snapRetr1 = z.retrans; d.snapOoo1 = z.outOfOrder; d.snapZw1 = z.zeroWin;
}

/** Opens exchange e's timing with the snapshot d holds (snapDir). */
export function startTiming(e: Exchange, d: Dir): void {
  e.reqFirstNs = d.msgNs; e.reqLastNs = 0; e.resFirstNs = 0; e.resLastNs = 0; e.reqBytes = 0; e.resBytes = 0;
  e.snapRetr0 = d.snapRetr0; e.snapOoo0 = d.snapOoo0; e.snapZw0 = d.snapZw0;
  e.snapRetr1 = d.snapRetr1; e.snapOoo1 = d.snapOoo1; e.snapZw1 = d.snapZw1;
}

/**
 * Copies exchange e's timing into a slot of the packet's facts; returns the slot (-1: the
 * packet's slots are used up). top: it is the record's top-level `timing` (HTTP/1).
 */
export function timingOf(c: Conn, e: Exchange, top: bool): i32 {
  const i = F.timingTake();
  if (i < 0) return -1;
  const cl = c.client >= 0 ? c.client : 0;
  const dc = unchecked(c.d[cl]), ds = unchecked(c.d[1 - cl]);
  unchecked(F.tKind[i] = <u8>F.TimingKind.EXCHANGE);
  unchecked(F.tReqFirst[i] = e.reqFirstNs); unchecked(F.tReqLast[i] = e.reqLastNs);
  unchecked(F.tResFirst[i] = e.resFirstNs); unchecked(F.tResLast[i] = e.resLastNs);
  unchecked(F.tReqBytes[i] = e.reqBytes); unchecked(F.tResBytes[i] = e.resBytes);
  // The connection's setup belongs to its first exchange (as HAR's `connect`).
  const first = e.pos == 0;
  unchecked(F.tSyn[i] = first ? c.synNs : 0); unchecked(F.tSynAck[i] = c.synAckNs); unchecked(F.tAck[i] = c.hsAckNs);
  unchecked(F.tTlsStart[i] = 0); unchecked(F.tTlsEnd[i] = 0);
  const rc = cl == 0 ? e.snapRetr0 : e.snapRetr1, rs = cl == 0 ? e.snapRetr1 : e.snapRetr0;
  const oc = cl == 0 ? e.snapOoo0 : e.snapOoo1, os = cl == 0 ? e.snapOoo1 : e.snapOoo0;
  const zc = cl == 0 ? e.snapZw0 : e.snapZw1, zs = cl == 0 ? e.snapZw1 : e.snapZw0;
  unchecked(F.tRetrC[i] = dc.retrans - rc); unchecked(F.tRetrS[i] = ds.retrans - rs);
  unchecked(F.tOooC[i] = dc.outOfOrder - oc); unchecked(F.tOooS[i] = ds.outOfOrder - os);
  unchecked(F.tZwC[i] = dc.zeroWin - zc); unchecked(F.tZwS[i] = ds.zeroWin - zs);
  unchecked(F.tReset[i] = c.rstDir < 0 ? 0 : c.rstDir == cl ? 1 : 2);
  if (top) F.timingSetTop(i);
  return i;
}

/** The TLS handshake of connection c completed in this packet: its timing is the record's top-level `timing`. */
export function tlsTiming(c: Conn): void {
  const i = F.timingTake();
  if (i < 0) return;
  unchecked(F.tKind[i] = <u8>F.TimingKind.TLS);
  unchecked(F.tReqFirst[i] = 0); unchecked(F.tReqLast[i] = 0); unchecked(F.tResFirst[i] = 0); unchecked(F.tResLast[i] = 0);
  unchecked(F.tReqBytes[i] = -1); unchecked(F.tResBytes[i] = -1);
  unchecked(F.tSyn[i] = c.synNs); unchecked(F.tSynAck[i] = c.synAckNs); unchecked(F.tAck[i] = c.hsAckNs);
  unchecked(F.tTlsStart[i] = c.tlsStartNs); unchecked(F.tTlsEnd[i] = c.tlsEndNs);
  const cl = c.client >= 0 ? c.client : 0;
  const dc = unchecked(c.d[cl]), ds = unchecked(c.d[1 - cl]);
  unchecked(F.tRetrC[i] = dc.retrans); unchecked(F.tRetrS[i] = ds.retrans);
  unchecked(F.tOooC[i] = dc.outOfOrder); unchecked(F.tOooS[i] = ds.outOfOrder);
  unchecked(F.tZwC[i] = dc.zeroWin); unchecked(F.tZwS[i] = ds.zeroWin);
  unchecked(F.tReset[i] = c.rstDir < 0 ? 0 : c.rstDir == cl ? 1 : 2);
  F.timingSetTop(i);
}

/** The connection was reset (its first RST, in this packet): the oldest exchange whose response had not ended shows its timing so far on this record. */
export function resetTiming(c: Conn): void {
  if (F.timingTop >= 0 || c.mode != Mode.HTTP1) return;
  let i = c.exHead;
  while (i >= 0) {
    const e = ex(i);
    if (e.hasReq && e.resLastNs == 0 && e.reqFirstNs != 0) { timingOf(c, e, true); return; }
    i = e.cnext;
  }
}
