// Connection tracking, the entry of the stateful analysis of TCP at DEBUG verbosity (reference
// §4–§6, with its defects fixed): analyzeTcp() and the order of a packet's steps — connection
// lookup (exact key), timers due by this packet's time, roles — then ./mode.ts feeds the
// payload to the parser of the connection's mode (http/h1exchange.ts, http/h2exchange.ts,
// ./tls.ts) and trace/pick.ts chooses the trace the record carries. It owns the connection
// lifecycle (untracking, eviction, release). The results are the packet's facts (facts/), which
// json/ renders. One event-ordered pass in capture order, capture timestamps as the
// clock; nothing here blocks or reorders.

import * as T from "./table";
import { CONN_PARTS } from "../config";
import { clock, resetClock, idleExpired, releaseDue, due } from "./timers";
import { Conn, Dir, Mode, conn, nextPacket, resetExchanges } from "./conn";
import { freeBuf, heads, samples } from "../http/buffers";
import { freeTable, tablePool } from "../http/hpackpool";
import { S } from "../facts/packet";
import { arenaReset } from "../facts/h2";
import { timingReset } from "../facts/timing";
import { segment, cutTiming } from "./timing";
import { scheduleUntrack } from "./roles";
import { feed, gap, joinMidstream, finSeen } from "./mode";
import { pickTrace } from "../trace/pick";
import { setPart } from "./part";
import { Why, skip, resetSkips } from "./skips";

let initialised = false;
let flowCap: i32 = 0;
/** Caps the connections tracked (0 or more than MAX_FLOWS: MAX_FLOWS); takes effect on the first packet. */
export function setFlowCap(n: i32): void { if (!initialised) flowCap = n; }

// Packet context
let now: i64 = 0;

function resetPacket(): void {
  // The hello the last packet's record showed (its fields pointed into this buffer).
  if (S.helloRelease) { freeBuf(S.helloBuf, S.helloGen); S.helloBuf = -1; S.helloRelease = false; }
  S.l7Raw = false; S.h2Object = false; S.tlsObject = false; S.reqKnown = false; S.topValid = false;
  S.tlsN = 0; S.helloClient = false; S.helloServer = false; S.helloWhy = Why.NONE; S.traceEx = -1; S.traceInFrames = false; S.hasMessage = true;
  S.rendered = false; S.renderEx = -1; S.renderBodyLen = 0; S.renderBodyOpen = false; S.renderWhy = Why.NONE; S.renderSkipped = false;
  S.h2Frames = 0; S.h2Size = 0; S.h2Preface = false; S.streamSetN = 0; S.reqSetN = 0; S.resSetN = 0; S.dataSetN = 0;
  S.fragUsed = 0; S.h2Cut = false; S.h2LastStream = 0; arenaReset(); timingReset();
}

// ---- connection lifecycle ----------------------------------------------------------------
// A connection's resources — head, frame and block buffers, HPACK tables, exchanges — return
// to their pools when it ends (FIN both ways, or a RST) and RELEASE_NS have passed since its
// last packet, so the ACKs and retransmissions that follow a close still find its state; when
// it is evicted; or when it has been idle for FLOW_IDLE_NS (the reaper). A pool that runs empty
// reclaims from ended and idle connections first (flow/pool.ts, flow/conn.ts).

function releaseDir(d: Dir): void {
  freeBuf(d.head, d.headGen); d.head = -1;
  freeBuf(d.fBuf, d.fBufGen); d.fBuf = -1;
  freeBuf(d.blockBuf, d.blockGen); d.blockBuf = -1;
  freeTable(d.hpack, d.hpackGen); d.hpack = -1;
}

// Returns everything connection c holds to the pools.
function releaseResources(c: Conn): void { releaseDir(unchecked(c.d[0])); releaseDir(unchecked(c.d[1])); c.releaseExchanges(); }

// Drops flow f from the table.
function evict(f: i32): void { const c = conn(f); releaseResources(c); c.reset(); T.remove(f); }

// An ended connection's late packets no longer matter: its resources go back, and a tombstone
// stays (its sequence numbers, so a late retransmission is still known as already seen; no
// trace; later bytes are shown as plain payload) until the part needs its slot or it is reaped.
function release(f: i32): void {
  const c = conn(f);
  releaseResources(c);
  c.mode = Mode.RELEASED; c.untracked = true; c.untrackAt = 0; c.closing = true;
  c.count = 0; c.firstUnanswered = 0;
  T.setState(f, T.State.GONE);
}

// Reaps part p's connections idle for FLOW_IDLE_NS, and releases its ended connections whose
// last packet is RELEASE_NS old. Each list is in order of last packet, so each stops at its
// first connection that is not due. `f` is the packet's own flow; returns it, or -1 if reaped.
function sweep(p: i32, f: i32): i32 {
  for (let s = 0; s < 3; s++) {
    let o = T.oldest(p, <T.State>s);
    while (o >= 0 && idleExpired(unchecked(T.lastSeen[o]))) {
      if (o == f) f = -1;
      evict(o);
      o = T.oldest(p, <T.State>s);
    }
  }
  let o = T.oldest(p, T.State.ENDED);
  while (o >= 0 && releaseDue(unchecked(T.lastSeen[o]))) { release(o); o = T.oldest(p, T.State.ENDED); }
  return f;
}

/** Forgets every connection (a new capture). */
export function resetAnalysis(): void {
  resetClock();
  resetSkips();
  if (!initialised) return;
  for (let p = 0; p < CONN_PARTS; p++) {
    let f = T.victim(p);
    while (f >= 0) { evict(f); f = T.victim(p); }
  }
  resetExchanges();
  heads.reset(); samples.reset(); tablePool.reset();
}

// ---- entry point --------------------------------------------------------------------------

/**
 * Analyses one TCP segment. Addresses are 4 or 16 bytes; flags the TCP flag byte; pl the
 * captured TCP payload.
 */
export function analyzeTcp(iface: i32, src: usize, dst: usize, alen: i32, sp: u32, dp: u32, seq: u32, ack: u32,
  flags: u32, win: u32, pl: usize, plen: i32, sec: i64, nsec: i32): void {
  if (!initialised) { T.initTable(flowCap); initialised = true; }
  resetPacket();
  nextPacket();
  S.pSec = sec; S.pNsec = nsec; now = sec * 1000000000 + <i64>nsec;
  S.payload = pl; S.payloadLen = plen; S.segSeq = seq;

  T.makeKey(iface, src, dst, alen, sp, dp);
  const dir = T.dirOf;
  // Everything this packet allocates comes from its connection's part (flow/part.ts).
  const part = T.keyPart();
  setPart(part);
  // Other parts are swept at their own packets: by then the clock has only moved on, so they
  // lose exactly the connections they would have lost here.
  let f = sweep(part, T.find());
  if (f < 0) {
    if (T.full(part)) {
      const v = T.victim(part);
      if (v >= 0) { if (T.stateOf(v) == T.State.LIVE) skip(Why.EVICTED_LIVE); evict(v); }
    }
    f = T.insert(clock, part);
    if (f < 0) return;
    conn(f).reset();
  }
  T.touch(f, clock);
  const c = conn(f);
  const syn = (flags & 0x02) != 0, ackf = (flags & 0x10) != 0, fin = (flags & 0x01) != 0, rst = (flags & 0x04) != 0;

  // A new connection on the same addresses and ports after the old one closed.
  if (syn && !ackf && (c.closing || c.untracked || c.synSeen && unchecked(c.d[dir]).known && unchecked(c.d[dir]).next != seq + 1)) {
    releaseResources(c); c.reset(); T.setState(f, T.State.LIVE);
  }
  // Timer: trace context is dropped 10 s after the connection closed with nothing pending.
  if (due(c.untrackAt, now)) { c.untracked = true; c.untrackAt = 0; }

  if (syn) {
    c.synSeen = true;
    if (!ackf) c.client = dir; else if (c.client < 0) c.client = 1 - dir;
  }
  const firstRst = rst && c.rstDir < 0;
  segment(c, dir, seq, ack, flags, win, plen, now);
  const d = unchecked(c.d[dir]);
  if (syn) { d.known = true; d.fromStart = true; d.base = seq + 1; d.next = seq + 1; }
  const o = unchecked(c.d[1 - dir]);
  S.segAckKnown = ackf && o.known; S.segAck = S.segAckKnown ? o.off(ack) : 0;

  // The payload's first sequence number: a SYN takes one before its data (RFC 9293 §3.4; data on
  // a SYN, TCP Fast Open, RFC 7413 §3).
  const dseq = syn ? seq + 1 : seq;
  if (plen > 0) {
    if (!d.known) { d.known = true; d.base = dseq; d.next = dseq; joinMidstream(c, dir); }
    let skipN = 0;
    const diff = <i32>(dseq - d.next);
    if (diff > 0) {
      // Bytes are missing (lost by the capture or still to come out of order): resynchronise.
      gap(c, dir, <u32>diff);
      d.next = dseq;
    } else if (diff < 0) {
      skipN = -diff; // retransmitted bytes already parsed
    }
    // The segment's place in the stream: its first new byte (a retransmission may repeat the
    // end of the previous message before the new one), for trace/pick.ts.
    S.segFirst = d.off(dseq + <u32>(skipN < plen ? skipN : 0));
    if (skipN < plen) {
      S.curOff = d.off(dseq + <u32>skipN);
      feed(c, dir, pl + <usize>skipN, plen - skipN);
      d.next = dseq + <u32>plen;
    }
  }
  // A FIN ends a response framed by the connection's close (its bytes end before the FIN's).
  if (fin && d.known && <i32>(dseq + <u32>plen - d.next) == 0) { finSeen(c, dir); d.next++; }
  if (fin) d.fin = true;
  if (rst) c.rst = true;
  // A reset that cuts exchanges short, or the server's FIN under HTTP/2's streams: the record
  // shows their timing so far.
  if (firstRst || fin && c.mode == Mode.HTTP2 && dir != c.client && c.client >= 0) cutTiming(c);
  if (fin || rst) {
    c.closing = true;
    scheduleUntrack(c);
  }
  // Ended: nothing more can come but late ACKs and retransmissions (RFC 9293 §3.6, §3.10.7).
  if ((c.rst || unchecked(c.d[0]).fin && unchecked(c.d[1]).fin) && T.stateOf(f) == T.State.LIVE) T.setState(f, T.State.ENDED);
  pickTrace(c, dir, ack, plen, syn);
}

// ---- mode detection and feeding ------------------------------------------------------------
