// Connection tracking, the entry of the stateful analysis of TCP at DEBUG verbosity (reference
// §4–§6, with its defects fixed): analyzeTcp() and the order of a packet's steps — connection
// lookup (exact key), timers due by this packet's time, roles — then ./mode.ts feeds the
// payload to the parser of the connection's mode (http/h1exchange.ts, http/h2exchange.ts,
// ./tls.ts) and trace/pick.ts chooses the trace the record carries. It owns the connection
// lifecycle (untracking, eviction, release). The results travel in S (record/state.ts), which
// record/render.ts reads. One event-ordered pass in capture order, capture timestamps as the
// clock; nothing here blocks or reorders.

import * as T from "./table";
import { CONN_PARTS } from "../config";
import { idleExpired, untrackDeadline, due } from "./timers";
import { Conn, Dir, Mode, conn } from "./conn";
import { freeBuf } from "../http/buffers";
import { freeTable } from "../http/hpackpool";
import { S } from "../record/state";
import { feed, gap, joinMidstream } from "./mode";
import { pickTrace } from "../trace/pick";
import { setPart } from "./part";

let initialised = false;
let flowCap: i32 = 0;
/** Caps the connections tracked (0 or more than MAX_FLOWS: MAX_FLOWS); takes effect on the first packet. */
export function setFlowCap(n: i32): void { if (!initialised) flowCap = n; }

// Packet context
let now: i64 = 0;

// The capture clock: the latest timestamp of any packet read so far (observe()). The reaper
// and the least-recently-seen order run on it rather than on each packet's own timestamp, so a
// connection's idle time depends only on its own packets and the clock, never on which other
// connections were looked up in between: a thread that sees only some connections (but reads
// every packet) reaps exactly what one thread seeing all of them would. For captures whose
// timestamps never go back, the clock is simply the packet's timestamp.
let clock: i64 = i64.MIN_VALUE;

/** Advances the capture clock to a packet's timestamp (every packet read, before any filter). */
@inline export function observe(sec: i64, nsec: i32): void {
  const t = sec * 1000000000 + <i64>nsec;
  if (t > clock) clock = t;
}



function resetPacket(): void {
  S.httpLen = 0; S.l7Len = 0; S.suffixLen = 0; S.tlsLen = 0; S.tlsN = 0; S.helloClient = false; S.helloServer = false; S.traceEx = -1; S.traceInFrames = false; S.hasMessage = true;
  S.rendered = false; S.renderEx = -1; S.renderBodyLen = 0; S.renderBodyOpen = false;
  S.h2Frames = 0; S.h2Size = 0; S.h2Preface = false; S.streamSetN = 0; S.reqSetN = 0; S.resSetN = 0; S.dataSetN = 0;
  S.fragUsed = 0; S.h2LastStream = 0;
}

// ---- connection lifecycle ----------------------------------------------------------------

function releaseDir(d: Dir): void {
  freeBuf(d.head); d.head = -1;
  freeBuf(d.fBuf); d.fBuf = -1;
  freeBuf(d.blockBuf); d.blockBuf = -1;
  freeTable(d.hpack); d.hpack = -1;
}

function releaseConn(c: Conn): void { releaseDir(unchecked(c.d[0])); releaseDir(unchecked(c.d[1])); c.reset(); }

function evict(f: i32): void { releaseConn(conn(f)); T.remove(f); }

/** Forgets every connection (a new capture). */
export function resetAnalysis(): void {
  clock = i64.MIN_VALUE;
  if (!initialised) return;
  for (let p = 0; p < CONN_PARTS; p++) {
    let f = T.oldest(p);
    while (f >= 0) { evict(f); f = T.oldest(p); }
  }
}

// ---- entry point --------------------------------------------------------------------------

/**
 * Analyses one TCP segment. Addresses are 4 or 16 bytes; flags the TCP flag byte; S.payload the
 * captured TCP S.payload.
 */
export function analyzeTcp(iface: i32, src: usize, dst: usize, alen: i32, sp: u32, dp: u32, seq: u32, ack: u32,
  flags: u32, pl: usize, plen: i32, sec: i64, nsec: i32): void {
  if (!initialised) { T.initTable(flowCap); initialised = true; }
  resetPacket();
  S.pSec = sec; S.pNsec = nsec; now = sec * 1000000000 + <i64>nsec;
  S.payload = pl; S.payloadLen = plen; S.segSeq = seq;

  T.makeKey(iface, src, dst, alen, sp, dp);
  const dir = T.dirOf;
  // Everything this packet allocates comes from its connection's part (flow/part.ts).
  const part = T.keyPart();
  setPart(part);
  let f = T.find();
  // The reaper (600 s of capture time without a packet): the part's oldest connections first.
  // Other parts are swept at their own packets: by then the clock has only moved on, so they
  // lose exactly the connections they would have lost here.
  let o = T.oldest(part);
  while (o >= 0 && idleExpired(unchecked(T.lastSeen[o]), clock)) {
    if (o == f) f = -1;
    evict(o);
    o = T.oldest(part);
  }
  if (f < 0) {
    if (T.full(part)) { const victim = T.oldest(part); if (victim >= 0) { T.countEviction(); evict(victim); } }
    f = T.insert(clock, part);
    if (f < 0) return;
    conn(f).reset();
  }
  T.touch(f, clock);
  const c = conn(f);
  const syn = (flags & 0x02) != 0, ackf = (flags & 0x10) != 0, fin = (flags & 0x01) != 0, rst = (flags & 0x04) != 0;

  // A new connection on the same addresses and ports after the old one closed.
  if (syn && !ackf && (c.closing || c.untracked || c.synSeen && unchecked(c.d[dir]).known && unchecked(c.d[dir]).next != seq + 1)) releaseConn(c);
  // Timer: trace context is dropped 10 s after the connection closed with nothing pending.
  if (due(c.untrackAt, now)) { c.untracked = true; c.untrackAt = 0; }

  if (syn) {
    c.synSeen = true;
    if (!ackf) c.client = dir; else if (c.client < 0) c.client = 1 - dir;
  }
  const d = unchecked(c.d[dir]);
  if (syn) { d.known = true; d.base = seq + 1; d.next = seq + 1; }

  if (plen > 0) {
    if (!d.known) { d.known = true; d.base = seq; d.next = seq; joinMidstream(c, dir); }
    let skip = 0;
    const diff = <i32>(seq - d.next);
    if (diff > 0) {
      // Bytes are missing (lost by the capture or still to come out of order): resynchronise.
      gap(c, dir);
      d.next = seq;
    } else if (diff < 0) {
      skip = -diff; // retransmitted bytes already parsed
    }
    if (skip < plen) {
      S.curOff = d.off(seq + <u32>skip);
      feed(c, dir, pl + <usize>skip, plen - skip);
      d.next = seq + <u32>plen;
    }
  }
  if (fin && d.known && <i32>(seq + <u32>plen - d.next) == 0) d.next++;
  if (fin) d.fin = true;
  if (fin || rst) {
    c.closing = true;
    scheduleUntrack(c);
  }
  pickTrace(c, dir, ack, plen, syn);
}

export function scheduleUntrack(c: Conn): void {
  if (!c.closing || c.untrackAt != 0 || c.untracked) return;
  if (c.mode == Mode.HTTP1 && c.firstUnanswered < c.count && c.at(c.firstUnanswered) >= 0) return; // a response is still due
  c.untrackAt = untrackDeadline(now);
}

@inline export function isServer(c: Conn, dir: i32): bool { return c.client >= 0 ? dir != c.client : false; }

export function roleFallback(c: Conn): void {
  if (c.client >= 0) return;
  // Without a handshake: the lower (non-ephemeral) port is the server's.
  const f = T.find();
  if (f < 0) return;
  c.client = T.portOf(f, 0) < T.portOf(f, 1) ? 1 : 0;
}

// ---- mode detection and feeding ------------------------------------------------------------
