// Per-connection state of the stateful analysis: roles, per-direction reassembly cursors and
// parser state, and the connection's exchanges (request/response pairs).
//
// Exchanges come from a pool with an equal share per connection part (flow/part.ts). Each is
// on its connection's list in the order its request came (its position), and on one of its
// part's two queues: WAITING (request seen, final response not yet) in order of creation, or
// FINISHED in the order they finished. An exchange goes back to the pool when its connection
// ends or is evicted, or when its connection has more than FLOW_EXCHANGES finished ones (the
// one that finished first goes); so what a connection keeps depends on its own traffic only.
// When a part's share is empty anyway, its oldest finished exchange is reused; a waiting one
// only when none is finished — the response then says its request was reclaimed (never
// another request's).
//
// HTTP/2 exchanges are also found by stream id, through a hash on (connection, stream), so any
// number of concurrent streams keep their pairing. HTTP/1 exchanges are found by position
// (pairing: responses answer requests in order, RFC 9112 §9.3.2) and by sequence offset:
// requests and responses are appended in stream order, so their byte ranges (relative to each
// direction's first byte, so 32-bit wrap-around is harmless within 4 GiB of a stream) are
// sorted, and the segment or acknowledgement a packet carries maps to the exchange whose bytes
// contain it.

import { MAX_FLOWS, MAX_EXCHANGES, FLOW_EXCHANGES, MAX_URL, MAX_METHOD, CONN_PARTS, RECLAIM_SCAN } from "../config";
import * as T from "./table";
import { cur as curPart } from "./part";
import { TraceRepr } from "../trace/context";
import { Why, skip } from "./skips";

/** What a direction's byte stream carries (RELEASED: the connection ended and gave back its state). */
export const enum Mode { UNKNOWN = 0, HTTP1 = 1, HTTP2 = 2, TLS = 3, OPAQUE = 4, RELEASED = 5 }

/** An exchange's state. */
export const enum ExState { FREE = 0, WAITING = 1, FINISHED = 2 }

/** One request and its response. */
export class Exchange {
  // Fields by size (8, 4, then 1 byte): MAX_EXCHANGES of them.
  /** Position of the request on its connection (0, 1, … in the order requests came). */
  pos: i64 = 0;
  tsSec: i64 = 0;
  /** Timing (flow/timing.ts), capture times in ns (valid when tbits says so): the request's first and last byte, the response's; their bytes; the serials (pcap.num) of the records with the request head and the final response head. */
  reqFirstNs: i64 = 0; reqLastNs: i64 = 0;
  resFirstNs: i64 = 0; resLastNs: i64 = 0;
  reqBytes: i64 = 0; resBytes: i64 = 0;
  reqNum: u64 = 0; resNum: u64 = 0;
  trace: TraceRepr = new TraceRepr();
  /** The request's method (MAX_METHOD bytes) and URL (MAX_URL bytes after it), in one allocation. */
  method: usize = heap.alloc(<usize>(MAX_METHOD + MAX_URL));
  url: usize = 0;
  gen: u32 = 0;
  state: ExState = ExState.FREE;
  /** The connection (flow index) it belongs to. */
  flow: i32 = -1;
  /** Neighbours on the connection's list, on the part's queue, and (finished) on the connection's finished ones in the order they finished (-1 = none). */
  cprev: i32 = -1; cnext: i32 = -1;
  qprev: i32 = -1; qnext: i32 = -1;
  fprev: i32 = -1; fnext: i32 = -1;
  /** The analysed packet that last used it (such an exchange is never reclaimed for that packet). */
  pin: u32 = 0;
  /** HTTP/2 stream id (0 for HTTP/1.x). */
  stream: u32 = 0;
  /** Request bytes [reqStart, reqEnd) and response bytes [resStart, resEnd) as direction offsets. */
  reqStart: u32 = 0; reqEnd: u32 = 0xffffffff;
  resStart: u32 = 0; resEnd: u32 = 0xffffffff;
  /** What the request's own analysis gave up (Why.NONE when nothing). */
  why: Why = Why.NONE;
  /** HTTP/1: how far the client had received the server's bytes when it sent the request (an offset of the server's direction), when known. */
  ackAtSend: u32 = 0;
  /** Each direction's retransmitted, out-of-order and zero-window segments when the request began (flow/timing.ts). */
  snapRetr0: u32 = 0; snapOoo0: u32 = 0; snapZw0: u32 = 0;
  snapRetr1: u32 = 0; snapOoo1: u32 = 0; snapZw1: u32 = 0;
  tsNsec: i32 = 0;
  methodLen: i32 = 0;
  urlLen: i32 = 0;
  /** On the stream hash. */
  hashed: bool = false;
  hasReq: bool = false;
  hasRes: bool = false;
  /** The final (non-1xx) response head was seen. */
  answered: bool = false;
  /** HTTP/2: END_STREAM (or RST_STREAM) seen from the client / the server. */
  reqEnded: bool = false;
  resEnded: bool = false;
  ackKnown: bool = false;
  /** Request method was HEAD (its response has no body, RFC 9110 §9.3.2). */
  isHead: bool = false;
  /** Request was CONNECT. */
  isConnect: bool = false;
  /** Which of the timing fields are known, and whether its timing was shown (flow/timing.ts E_*): explicit bits, since a capture's clock may read 0. */
  tbits: u8 = 0;

  constructor() { this.url = this.method + <usize>MAX_METHOD; }
}

const pool = new StaticArray<Exchange | null>(MAX_EXCHANGES);
const PART_EXCHANGES: i32 = MAX_EXCHANGES / CONN_PARTS;
// Per part: free slots (a stack inside the part's range), the two queues' ends.
const freeList = new StaticArray<i32>(MAX_EXCHANGES);
const freeTop = new StaticArray<i32>(CONN_PARTS);
const waitHead = new StaticArray<i32>(CONN_PARTS);
const waitTail = new StaticArray<i32>(CONN_PARTS);
const finHead = new StaticArray<i32>(CONN_PARTS);
const finTail = new StaticArray<i32>(CONN_PARTS);
let poolCap: i32 = PART_EXCHANGES;
let poolReady = false;

/** The analysed packet's number (pins the exchanges it uses). */
let packetNo: u32 = 0;
/** Starts the analysis of a packet. */
export function nextPacket(): void { packetNo++; }

/** Lowers the exchanges each part hands out to ceil(n / CONN_PARTS) (0: all); before the first packet. */
export function limitExchanges(n: i32): void {
  if (poolReady) return;
  const share = n > 0 ? (n + CONN_PARTS - 1) / CONN_PARTS : PART_EXCHANGES;
  poolCap = share < PART_EXCHANGES ? share : PART_EXCHANGES;
}

function initPool(): void {
  for (let p = 0; p < CONN_PARTS; p++) {
    const base = p * PART_EXCHANGES;
    for (let i = 0; i < poolCap; i++) unchecked(freeList[base + i] = base + poolCap - 1 - i);
    unchecked(freeTop[p] = poolCap);
    unchecked(waitHead[p] = -1); unchecked(waitTail[p] = -1); unchecked(finHead[p] = -1); unchecked(finTail[p] = -1);
  }
  for (let i = 0; i < STREAM_SLOTS; i++) unchecked(streamSlots[i] = 0);
  poolReady = true;
}

/** The exchange in slot i (allocated once a slot was handed out). */
@inline export function ex(i: i32): Exchange { return changetype<Exchange>(unchecked(pool[i])); }

// ---- the part queues -----------------------------------------------------------------------

function qUnlink(i: i32): void {
  const e = ex(i);
  const p = i / PART_EXCHANGES;
  const fin = e.state == ExState.FINISHED;
  if (e.qprev >= 0) ex(e.qprev).qnext = e.qnext; else if (fin) unchecked(finHead[p] = e.qnext); else unchecked(waitHead[p] = e.qnext);
  if (e.qnext >= 0) ex(e.qnext).qprev = e.qprev; else if (fin) unchecked(finTail[p] = e.qprev); else unchecked(waitTail[p] = e.qprev);
  e.qprev = -1; e.qnext = -1;
}

function qAppend(i: i32): void {
  const e = ex(i);
  const p = i / PART_EXCHANGES;
  const fin = e.state == ExState.FINISHED;
  const t = fin ? unchecked(finTail[p]) : unchecked(waitTail[p]);
  e.qprev = t; e.qnext = -1;
  if (t >= 0) ex(t).qnext = i; else if (fin) unchecked(finHead[p] = i); else unchecked(waitHead[p] = i);
  if (fin) unchecked(finTail[p] = i); else unchecked(waitTail[p] = i);
}

// ---- the stream hash: (connection, stream id) → exchange ----------------------------------

const STREAM_SLOTS: i32 = MAX_EXCHANGES * 2;
const streamSlots = new StaticArray<i32>(STREAM_SLOTS); // exchange index + 1, 0 = empty

@inline function streamHash(flow: i32, stream: u32): i32 {
  let h = <u32>flow * 0x9e3779b1 ^ stream * 0x85ebca6b;
  h ^= h >> 15; h *= 0x2c1b3c6d; h ^= h >> 12;
  return <i32>(h & <u32>(STREAM_SLOTS - 1));
}

function hashInsert(i: i32): void {
  const e = ex(i);
  let s = streamHash(e.flow, e.stream);
  while (unchecked(streamSlots[s]) != 0) s = (s + 1) & (STREAM_SLOTS - 1);
  unchecked(streamSlots[s] = i + 1);
  e.hashed = true;
}

function hashFind(flow: i32, stream: u32): i32 {
  let s = streamHash(flow, stream);
  while (true) {
    const v = unchecked(streamSlots[s]);
    if (v == 0) return -1;
    const e = ex(v - 1);
    if (e.flow == flow && e.stream == stream) return v - 1;
    s = (s + 1) & (STREAM_SLOTS - 1);
  }
}

function hashRemove(i: i32): void {
  const e = ex(i);
  let s = streamHash(e.flow, e.stream);
  while (unchecked(streamSlots[s]) != i + 1) s = (s + 1) & (STREAM_SLOTS - 1);
  e.hashed = false;
  // Backward-shift deletion (Knuth 6.4, Algorithm R), as in the connection table.
  unchecked(streamSlots[s] = 0);
  let j = s;
  while (true) {
    j = (j + 1) & (STREAM_SLOTS - 1);
    const v = unchecked(streamSlots[j]);
    if (v == 0) break;
    const o = ex(v - 1);
    const home = streamHash(o.flow, o.stream);
    const between = s <= j ? (home > s && home <= j) : (home > s || home <= j);
    if (!between) { unchecked(streamSlots[s] = v); unchecked(streamSlots[j] = 0); s = j; }
  }
}

// ---- taking and freeing --------------------------------------------------------------------

// Returns exchange i to its part's free slots: off its connection's list, its queue and the hash.
function freeEx(i: i32): void {
  const e = ex(i);
  if (e.state == ExState.FREE) return;
  const c = conn(e.flow);
  if (e.cprev >= 0) ex(e.cprev).cnext = e.cnext; else c.exHead = e.cnext;
  if (e.cnext >= 0) ex(e.cnext).cprev = e.cprev; else c.exTail = e.cprev;
  if (e.state == ExState.FINISHED) {
    c.exFinished--;
    if (e.fprev >= 0) ex(e.fprev).fnext = e.fnext; else c.finHead = e.fnext;
    if (e.fnext >= 0) ex(e.fnext).fprev = e.fprev; else c.finTail = e.fprev;
    e.fprev = -1; e.fnext = -1;
  }
  qUnlink(i);
  if (e.hashed) hashRemove(i);
  e.state = ExState.FREE; e.gen++; e.flow = -1; e.cprev = -1; e.cnext = -1;
  const p = i / PART_EXCHANGES;
  const top = unchecked(freeTop[p]);
  unchecked(freeList[p * PART_EXCHANGES + top] = i); unchecked(freeTop[p] = top + 1);
}

// The first exchange of a queue from `i` on that the current packet does not use, or -1.
function unpinned(i: i32): i32 {
  while (i >= 0 && ex(i).pin == packetNo) i = ex(i).qnext;
  return i;
}

// The finished exchange of part p to reuse: the oldest that is not a live connection's last. A
// live connection's last one met on the way goes to the back of the queue (a second chance: a
// connection idle for minutes keeps it for the late ACK or FIN that names it), at most
// RECLAIM_SCAN times; then the oldest goes anyway, counted (a later ACK or FIN of it carries no
// trace). -1 when every finished one is this packet's.
function finishedVictim(p: i32): i32 {
  for (let n = 0; n < RECLAIM_SCAN; n++) {
    const i = unpinned(unchecked(finHead[p]));
    if (i < 0) return -1;
    const e = ex(i);
    if (conn(e.flow).finTail != i || T.stateOf(e.flow) != T.State.LIVE) return i;
    qUnlink(i); qAppend(i);
  }
  const v = unpinned(unchecked(finHead[p]));
  if (v >= 0) skip(Why.CONTEXT_RECLAIMED);
  return v;
}

// A free slot of the current part: a free one, else a finished exchange (finishedVictim), else
// its oldest waiting one (whose connection learns it lost it); -1 when every one is this packet's.
function takeSlot(): i32 {
  if (!poolReady) initPool();
  const p = curPart;
  if (unchecked(freeTop[p]) == 0) {
    let v = finishedVictim(p);
    if (v < 0) {
      v = unpinned(unchecked(waitHead[p]));
      if (v < 0) return -1;
      skip(Why.REQUEST_RECLAIMED);
      const owner = conn(ex(v).flow);
      if (ex(v).stream != 0) owner.streamsLost = true;
    }
    freeEx(v);
  }
  const top = unchecked(freeTop[p]) - 1;
  unchecked(freeTop[p] = top);
  const i = unchecked(freeList[p * PART_EXCHANGES + top]);
  if (unchecked(pool[i]) === null) unchecked(pool[i] = new Exchange());
  return i;
}

/** Marks exchange i finished (its final response seen; for HTTP/2 both ends of its stream); the connection's oldest finished one goes when it has more than FLOW_EXCHANGES. */
export function finish(i: i32): void {
  const e = ex(i);
  if (e.state != ExState.WAITING) return;
  qUnlink(i);
  e.state = ExState.FINISHED;
  qAppend(i);
  const c = conn(e.flow);
  c.exFinished++;
  e.fprev = c.finTail; e.fnext = -1;
  if (c.finTail >= 0) ex(c.finTail).fnext = i; else c.finHead = i;
  c.finTail = i;
  // Not one the current packet uses (a segment completing 40 pipelined responses renders the
  // first one last): that one goes at a later finish instead.
  while (c.exFinished > FLOW_EXCHANGES && ex(c.finHead).pin != packetNo) freeEx(c.finHead);
}

/** Binds exchange i to HTTP/2 stream s (found by findStream from now on). */
export function bindStream(i: i32, s: u32): void {
  const e = ex(i);
  if (e.hashed) hashRemove(i);
  e.stream = s;
  if (s != 0) hashInsert(i);
}

/** One direction of a connection. */
export class Dir {
  // Fields are grouped by concern and, within a group, by size (8, 4, then 1 byte), so the
  // object has little padding: there are two per connection, MAX_FLOWS connections.
  /** The stream's first bytes while they are too few to tell its protocol (flow/mode.ts): up to 16, in pfx0 and pfx1. */
  pfx0: u64 = 0;
  pfx1: u64 = 0;
  /** The direction's owner code for pooled resources: flow·2 + direction. */
  owner: i32 = -1;
  /** Sequence number of offset 0 of this direction. */
  base: u32 = 0;
  /** Next expected sequence number. */
  next: u32 = 0;
  pfxLen: i32 = 0;
  // Timing (flow/timing.ts): when the highest sequence number was reached; segments of this
  // direction retransmitted, out of order, advertising a zero window; and, for the message in
  // progress, when its first byte came and every direction's counts then.
  nextNs: i64 = 0;
  msgNs: i64 = 0;
  /** The acknowledgement number of its last segment (valid with D_ACK in tbits), as Wireshark's lastack. */
  lastAck: u32 = 0;
  /** HTTP/2: frame payload bytes of the header block being joined (HEADERS + CONTINUATION), counted to its stream at END_HEADERS. */
  blkBytes: u32 = 0;
  retrans: u32 = 0; outOfOrder: u32 = 0; zeroWin: u32 = 0;
  snapRetr0: u32 = 0; snapOoo0: u32 = 0; snapZw0: u32 = 0;
  snapRetr1: u32 = 0; snapOoo1: u32 = 0; snapZw1: u32 = 0;
  /** Sequence numbers known (first segment seen). */
  known: bool = false;
  /** A FIN was seen. */
  fin: bool = false;
  /** Its SYN was seen: its first byte is the first byte of the stream. */
  fromStart: bool = false;
  /** The stream lost bytes (gap): the parser looks for the next message start. */
  resync: bool = false;
  // HTTP/1 parser
  bodyLeft: i64 = 0;     // bytes of body (or of the current chunk) still to come
  chunkSize: u64 = 0;
  /** Exchange ring position of the message in progress (-1 none). */
  cur: i64 = -1;
  st: i32 = 0;
  head: i32 = -1;        // head buffer handle
  headGen: u32 = 0;
  headLen: i32 = 0;
  /** The head passed the head limit: bytes of it kept (the lines that fit), and of the current line beyond it. */
  headKept: i32 = 0;
  overLine: i32 = 0;
  /** The status code of the response head being read, when seen (0: not yet). */
  headCode: i32 = 0;
  /** Where the message in progress starts (an offset of this direction), and the acknowledgement its first segment carried (an offset of the other direction), when known. */
  msgStart: u32 = 0;
  msgAck: u32 = 0;
  chunkLine: i32 = 0;    // bytes of the current chunk-size/trailer line seen
  /** The head being read is a response ("HTTP/" first). */
  headIsResponse: bool = false;
  msgAckKnown: bool = false;
  lineEmpty: bool = true;
  chunkHexOk: bool = true;
  // HTTP/2 framer
  fhdr: u64 = 0;         // frame header bytes gathered (up to 9, big-endian in the low bits)
  h2st: i32 = 0;
  fhdrLen: i32 = 0;
  fLen: u32 = 0; fType: u32 = 0; fFlags: u32 = 0; fStream: u32 = 0;
  fLeft: u32 = 0;        // payload bytes still to come
  fBuf: i32 = -1;        // buffer holding the payload of the frame in progress (when kept)
  fBufGen: u32 = 0;
  fBufLen: i32 = 0;
  /** Why the payload of the frame in progress is not all kept (Why.NONE: it is, or it is only sampled). */
  fWhy: Why = Why.NONE;
  blockBuf: i32 = -1;    // HEADERS + CONTINUATION fragments being joined
  blockGen: u32 = 0;
  blockLen: i32 = 0;
  blockStream: u32 = 0;
  blockFlags: u32 = 0;
  /** Why the header block being joined cannot be decoded (Why.NONE: it can). */
  blockWhy: Why = Why.NONE;
  prefaceLeft: i32 = 0;
  hpack: i32 = -1;       // HPACK table index
  hpackGen: u32 = 0;
  /** A header block is being joined (HEADERS or PUSH_PROMISE without END_HEADERS, then CONTINUATION). */
  blockOpen: bool = false;
  /** Why the HPACK table may lack the encoder's older entries: 0 complete, 1 joined mid-connection, 2 insertions missed. */
  hpackGap: u8 = 0;
  // TLS record walker
  tlsHdr: u64 = 0;
  tlsLeft: i32 = 0;      // bytes of the current record still to come
  tlsHdrLen: i32 = 0;
  tlsType: u32 = 0;
  /** Why the hello being kept is not (Why.NONE: it is). */
  helloWhy: Why = Why.NONE;
  /** The first handshake record of this direction was examined (ClientHello / ServerHello). */
  tlsHello: bool = false;
  /** Record boundaries were lost (a gap, or an implausible header): records are not walked. */
  tlsLost: bool = false;
  /** Timing bits (flow/timing.ts D_*): its last segment advertised a zero window; lastAck is known. */
  tbits: u8 = 0;

  /** Resets for a new connection (pooled resources must have been released). */
  reset(): void {
    this.nextNs = 0; this.msgNs = 0; this.retrans = 0; this.outOfOrder = 0; this.zeroWin = 0; this.lastAck = 0; this.blkBytes = 0; this.tbits = 0;
    this.known = false; this.fin = false; this.fromStart = false; this.pfx0 = 0; this.pfx1 = 0; this.pfxLen = 0; this.resync = false; this.st = 0; this.head = -1; this.headLen = 0;
    this.headKept = 0; this.overLine = 0; this.headIsResponse = false; this.headCode = 0; this.msgStart = 0; this.msgAck = 0; this.msgAckKnown = false;
    this.bodyLeft = 0; this.chunkLine = 0; this.lineEmpty = true; this.chunkSize = 0; this.chunkHexOk = true; this.cur = -1;
    this.h2st = 0; this.fhdr = 0; this.fhdrLen = 0; this.fLeft = 0; this.fBuf = -1; this.fBufLen = 0; this.fWhy = Why.NONE;
    this.blockBuf = -1; this.blockLen = 0; this.blockWhy = Why.NONE; this.blockOpen = false; this.prefaceLeft = 0; this.hpack = -1; this.hpackGap = 0;
    this.tlsLeft = 0; this.tlsHdr = 0; this.tlsHdrLen = 0; this.tlsType = 0; this.tlsHello = false; this.helloWhy = Why.NONE; this.tlsLost = false;
  }

  /** Offset of sequence number s in this direction. */
  @inline off(s: u32): u32 { return s - this.base; }
}

/** A tracked connection. */
export class Conn {
  /** Its flow index in the connection table. */
  flow: i32 = -1;
  /** Which canonical endpoint is the client: 0 = A, 1 = B, -1 unknown. */
  client: i32 = -1;
  mode: Mode = Mode.UNKNOWN;
  /** Capture time (ns) when trace context is dropped, after FIN/RST (0 = not scheduled). */
  untrackAt: i64 = 0;
  /** Timing (flow/timing.ts), capture times in ns (valid when tbits says so): SYN, SYN/ACK, the client's handshake ACK; the ClientHello, the client's first application data; the last SYN's time, then the first round trip (Wireshark's ts_mru_syn, ts_first_rtt). */
  synNs: i64 = 0; synAckNs: i64 = 0; hsAckNs: i64 = 0;
  tlsStartNs: i64 = 0; tlsEndNs: i64 = 0;
  rttNs: i64 = 0;
  /** The direction that sent the first RST (-1: none). */
  rstDir: i32 = -1;
  /** Trace context was dropped: later packets of this connection get no trace. */
  untracked: bool = false;
  /** A FIN or RST was seen in either direction. */
  closing: bool = false;
  /** A RST was seen. */
  rst: bool = false;
  /** A SYN was seen: the next bare SYN after closing starts a new connection. */
  synSeen: bool = false;
  /** Which timing times are known (flow/timing.ts C_*): explicit bits, since a capture's clock may read 0. */
  tbits: u8 = 0;
  d: StaticArray<Dir> = [new Dir(), new Dir()];
  /** Requests seen (the next request's position), and the position of the oldest unanswered one. */
  count: i64 = 0;
  firstUnanswered: i64 = 0;
  /** Its exchanges in order of position: oldest and newest (-1 = none); how many are finished, and the first and last to finish. */
  exHead: i32 = -1;
  exTail: i32 = -1;
  exFinished: i32 = 0;
  finHead: i32 = -1;
  finTail: i32 = -1;
  /** A waiting HTTP/2 exchange of this connection was reclaimed: an unknown stream may be one of its. */
  streamsLost: bool = false;
  /**
   * HTTP/1 pairing after capture gaps (http/h1exchange.ts): responses lost in a gap of the
   * server's bytes leave the next response's request among positions [candLo, candHi]
   * (uncertain); requests lost in a gap of the client's bytes sit just before position
   * reqGapAt (-1: none), an unknown number of them.
   */
  uncertain: bool = false;
  candLo: i64 = 0;
  candHi: i64 = 0;
  reqGapAt: i64 = -1;
  /** Per position mod 64: the request was HEAD, was CONNECT, and the two bits are known — so a response keeps its framing when its exchange is gone (RFC 9110 §9.3.2, §9.3.6). */
  headBits: u64 = 0;
  connectBits: u64 = 0;
  knownBits: u64 = 0;

  /** Resets for a new connection (its exchanges must have been released). */
  reset(): void {
    this.tbits = 0; this.rstDir = -1;
    this.client = -1; this.mode = Mode.UNKNOWN; this.untrackAt = 0; this.untracked = false; this.closing = false; this.rst = false;
    this.synSeen = false; unchecked(this.d[0]).reset(); unchecked(this.d[1]).reset(); this.count = 0; this.firstUnanswered = 0;
    this.exHead = -1; this.exTail = -1; this.exFinished = 0; this.finHead = -1; this.finTail = -1; this.streamsLost = false;
    this.uncertain = false; this.candLo = 0; this.candHi = 0; this.reqGapAt = -1;
    this.headBits = 0; this.connectBits = 0; this.knownBits = 0;
  }

  /** Returns every exchange of this connection to the pool. */
  releaseExchanges(): void {
    while (this.exHead >= 0) freeEx(this.exHead);
  }

  /** Appends an exchange at the next position; returns it, or -1 when none could be had (the position is taken anyway). */
  append(): i32 {
    const pos = this.count++;
    const i = takeSlot();
    if (i < 0) return -1;
    const e = ex(i);
    e.state = ExState.WAITING; e.flow = this.flow; e.pos = pos; e.pin = packetNo;
    e.stream = 0; e.hashed = false; e.reqStart = 0; e.reqEnd = 0xffffffff; e.resStart = 0; e.resEnd = 0xffffffff;
    e.hasReq = false; e.hasRes = false; e.answered = false; e.reqEnded = false; e.resEnded = false; e.why = Why.NONE; e.ackKnown = false;
    e.reqBytes = 0; e.resBytes = 0; e.tbits = 0;
    e.snapRetr0 = 0; e.snapOoo0 = 0; e.snapZw0 = 0; e.snapRetr1 = 0; e.snapOoo1 = 0; e.snapZw1 = 0;
    e.trace.clear(); e.methodLen = 0; e.urlLen = 0; e.isHead = false; e.isConnect = false;
    e.cprev = this.exTail; e.cnext = -1; e.fprev = -1; e.fnext = -1;
    if (this.exTail >= 0) ex(this.exTail).cnext = i; else this.exHead = i;
    this.exTail = i;
    qAppend(i);
    return i;
  }

  /** The exchange at position pos, or -1 when it is gone (finished long ago, or reclaimed). */
  at(pos: i64): i32 {
    let i = this.exTail;
    while (i >= 0 && ex(i).pos > pos) i = ex(i).cprev;
    if (i < 0 || ex(i).pos != pos) return -1;
    ex(i).pin = packetNo;
    return i;
  }

  /**
   * The exchange whose request (client direction) or response (server direction) bytes contain
   * offset o: the newest one whose range starts at or before o (ranges are in stream order:
   * HTTP/1.x answers in order). -1 if none.
   */
  findByOffset(server: bool, o: u32): i32 {
    let i = this.exTail;
    while (i >= 0) {
      const e = ex(i);
      if ((server ? e.hasRes : e.hasReq) && (server ? e.resStart : e.reqStart) <= o) {
        if (o >= (server ? e.resEnd : e.reqEnd)) return -1;
        e.pin = packetNo;
        return i;
      }
      i = e.cprev;
    }
    return -1;
  }

  /** The HTTP/2 exchange of a stream, or -1. */
  findStream(stream: u32): i32 {
    if (!poolReady || stream == 0) return -1;
    const i = hashFind(this.flow, stream);
    if (i >= 0) ex(i).pin = packetNo;
    return i;
  }
}

const conns = new StaticArray<Conn | null>(MAX_FLOWS);

/** The state of flow f, allocated on first use and reused afterwards. */
export function conn(f: i32): Conn {
  let c = unchecked(conns[f]);
  if (c === null) {
    c = new Conn(); c.flow = f;
    unchecked(c.d[0]).owner = f * 2; unchecked(c.d[1]).owner = f * 2 + 1;
    unchecked(conns[f] = c);
  }
  return c;
}

/** Forgets every exchange (a new capture; every connection was released first). */
export function resetExchanges(): void { if (poolReady) initPool(); }
