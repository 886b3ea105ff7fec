// Per-connection state of the stateful analysis: roles, per-direction reassembly cursors and
// parser state, and the connection's exchanges (request/response pairs) in a bounded ring that
// doubles as the sequence index: exchanges are appended in stream order, so their byte ranges
// are sorted, and a binary search over sequence offsets (relative to each direction's first
// byte, so 32-bit wrap-around is harmless within 4 GiB of a stream) finds the exchange a
// segment or an acknowledgement belongs to.
//
// Exchanges live in a pool reused oldest-first, an equal share per connection part
// (flow/part.ts); a connection refers to its exchanges by (index, generation), so a reused slot
// simply stops matching: context is lost, never a record.

import { MAX_FLOWS, MAX_EXCHANGES, FLOW_EXCHANGES, MAX_URL, MAX_METHOD, CONN_PARTS } from "../config";
import { cur as curPart } from "./part";
import { TraceRepr } from "../trace/context";

/** What a direction's byte stream carries. */
export const enum Mode { UNKNOWN = 0, HTTP1 = 1, HTTP2 = 2, TLS = 3, OPAQUE = 4 }

/** One request and its response. */
export class Exchange {
  gen: u32 = 0;
  /** HTTP/2 stream id (0 for HTTP/1.x). */
  stream: u32 = 0;
  /** Request bytes [reqStart, reqEnd) and response bytes [resStart, resEnd) as direction offsets. */
  reqStart: u32 = 0; reqEnd: u32 = 0xffffffff;
  resStart: u32 = 0; resEnd: u32 = 0xffffffff;
  hasReq: bool = false;
  hasRes: bool = false;
  /** The final (non-1xx) response head was seen. */
  answered: bool = false;
  trace: TraceRepr = new TraceRepr();
  tsSec: i64 = 0;
  tsNsec: i32 = 0;
  method: usize = heap.alloc(<usize>MAX_METHOD);
  methodLen: i32 = 0;
  url: usize = heap.alloc(<usize>MAX_URL);
  urlLen: i32 = 0;
  /** Request method was HEAD (its response has no body, RFC 9110 §9.3.2). */
  isHead: bool = false;
  /** Request was CONNECT. */
  isConnect: bool = false;
}

const pool = new StaticArray<Exchange | null>(MAX_EXCHANGES);
const PART_EXCHANGES: i32 = MAX_EXCHANGES / CONN_PARTS;
// Next slot of each part, within the part's range [p·PART_EXCHANGES, (p+1)·PART_EXCHANGES).
const poolNext = new StaticArray<i32>(CONN_PARTS);

/** Takes the current part's next exchange slot (its oldest one is reused); bumps its generation. */
export function newExchange(): i32 {
  const p = curPart;
  const k = unchecked(poolNext[p]);
  unchecked(poolNext[p] = k + 1 == PART_EXCHANGES ? 0 : k + 1);
  const i = p * PART_EXCHANGES + k;
  let e = unchecked(pool[i]);
  if (e === null) { e = new Exchange(); unchecked(pool[i] = e); }
  e.gen++;
  e.stream = 0; e.reqStart = 0; e.reqEnd = 0xffffffff; e.resStart = 0; e.resEnd = 0xffffffff;
  e.hasReq = false; e.hasRes = false; e.answered = false; e.trace.clear(); e.methodLen = 0; e.urlLen = 0;
  e.isHead = false; e.isConnect = false;
  return i;
}

/** The exchange in slot i (always allocated once newExchange() returned i). */
@inline export function ex(i: i32): Exchange { return changetype<Exchange>(unchecked(pool[i])); }

/** One direction of a connection. */
export class Dir {
  /** Sequence numbers known (first segment seen). */
  known: bool = false;
  /** Sequence number of offset 0 of this direction. */
  base: u32 = 0;
  /** Next expected sequence number. */
  next: u32 = 0;
  /** A FIN was seen. */
  fin: bool = false;
  /** The stream lost bytes (gap): the parser looks for the next message start. */
  resync: bool = false;
  // HTTP/1 parser
  st: i32 = 0;
  head: i32 = -1;        // head buffer index
  headLen: i32 = 0;
  bodyLeft: i64 = 0;     // bytes of body (or of the current chunk) still to come
  chunkLine: i32 = 0;    // bytes of the current chunk-size/trailer line seen
  lineEmpty: bool = true;
  chunkSize: u64 = 0;
  chunkHexOk: bool = true;
  /** Exchange ring position of the message in progress (-1 none). */
  cur: i64 = -1;
  // HTTP/2 framer
  h2st: i32 = 0;
  fhdr: u64 = 0;         // frame header bytes gathered (up to 9, big-endian in the low bits)
  fhdrLen: i32 = 0;
  fLen: u32 = 0; fType: u32 = 0; fFlags: u32 = 0; fStream: u32 = 0;
  fLeft: u32 = 0;        // payload bytes still to come
  fBuf: i32 = -1;        // buffer holding the payload of the frame in progress (when kept)
  fBufLen: i32 = 0;
  blockBuf: i32 = -1;    // HEADERS + CONTINUATION fragments being joined
  blockLen: i32 = 0;
  blockStream: u32 = 0;
  blockFlags: u32 = 0;
  prefaceLeft: i32 = 0;
  hpack: i32 = -1;       // HPACK table index
  // TLS record walker
  tlsLeft: i32 = 0;      // bytes of the current record still to come
  tlsHdr: u64 = 0;
  tlsHdrLen: i32 = 0;
  tlsType: u32 = 0;
  /** The first handshake record of this direction was examined (ClientHello / ServerHello). */
  tlsHello: bool = false;
  /** Record boundaries were lost (a gap, or an implausible header): records are not walked. */
  tlsLost: bool = false;

  /** Resets for a new connection. */
  reset(): void {
    this.known = false; this.fin = false; this.resync = false; this.st = 0; this.head = -1; this.headLen = 0;
    this.bodyLeft = 0; this.chunkLine = 0; this.lineEmpty = true; this.chunkSize = 0; this.chunkHexOk = true; this.cur = -1;
    this.h2st = 0; this.fhdr = 0; this.fhdrLen = 0; this.fLeft = 0; this.fBuf = -1; this.fBufLen = 0;
    this.blockBuf = -1; this.blockLen = 0; this.prefaceLeft = 0; this.hpack = -1;
    this.tlsLeft = 0; this.tlsHdr = 0; this.tlsHdrLen = 0; this.tlsType = 0; this.tlsHello = false; this.tlsLost = false;
  }

  /** Offset of sequence number s in this direction. */
  @inline off(s: u32): u32 { return s - this.base; }
}

/** A tracked connection. */
export class Conn {
  /** Which canonical endpoint is the client: 0 = A, 1 = B, -1 unknown. */
  client: i32 = -1;
  mode: Mode = Mode.UNKNOWN;
  /** Capture time (ns) when trace context is dropped, after FIN/RST (0 = not scheduled). */
  untrackAt: i64 = 0;
  /** Trace context was dropped: later packets of this connection get no trace. */
  untracked: bool = false;
  /** A FIN or RST was seen in either direction. */
  closing: bool = false;
  /** A SYN was seen: the next bare SYN after closing starts a new connection. */
  synSeen: bool = false;
  d: StaticArray<Dir> = [new Dir(), new Dir()];
  /** Exchange ring: total appended, and the position of the oldest unanswered HTTP/1 request. */
  count: i64 = 0;
  firstUnanswered: i64 = 0;
  ringIdx: StaticArray<i32> = new StaticArray<i32>(FLOW_EXCHANGES);
  ringGen: StaticArray<u32> = new StaticArray<u32>(FLOW_EXCHANGES);

  /** Resets for a new connection. */
  reset(): void {
    this.client = -1; this.mode = Mode.UNKNOWN; this.untrackAt = 0; this.untracked = false; this.closing = false;
    this.synSeen = false; unchecked(this.d[0]).reset(); unchecked(this.d[1]).reset(); this.count = 0; this.firstUnanswered = 0;
  }

  /** The exchange at ring position pos (total order), or -1 when it is gone. */
  at(pos: i64): i32 {
    if (pos < 0 || pos >= this.count || pos < this.count - FLOW_EXCHANGES) return -1;
    const k = <i32>(pos % FLOW_EXCHANGES);
    const i = unchecked(this.ringIdx[k]);
    return ex(i).gen == unchecked(this.ringGen[k]) ? i : -1;
  }

  /** Appends a new exchange; returns its ring position. */
  append(): i64 {
    const i = newExchange();
    const k = <i32>(this.count % FLOW_EXCHANGES);
    unchecked(this.ringIdx[k] = i); unchecked(this.ringGen[k] = ex(i).gen);
    return this.count++;
  }

  /**
   * The exchange whose request (client direction) or response (server direction) bytes contain
   * offset o, by binary search over the ring (ranges are appended in stream order). -1 if none.
   */
  findByOffset(server: bool, o: u32): i32 {
    let lo = this.count - FLOW_EXCHANGES; if (lo < 0) lo = 0;
    let hi = this.count - 1;
    let found: i64 = -1;
    // Last exchange whose range starts at or before o. Ranges with a start form a prefix of the
    // ring in each direction (HTTP/1.x answers in order), so the predicate is monotone.
    while (lo <= hi) {
      const mid = lo + ((hi - lo) >> 1);
      const i = this.at(mid);
      if (i < 0) { lo = mid + 1; continue; }
      const e = ex(i);
      if ((server ? e.hasRes : e.hasReq) && (server ? e.resStart : e.reqStart) <= o) { found = mid; lo = mid + 1; }
      else hi = mid - 1;
    }
    if (found < 0) return -1;
    const i = this.at(found);
    const e = ex(i);
    const end = server ? e.resEnd : e.reqEnd;
    return o < end ? i : -1;
  }

  /** The HTTP/2 exchange of a stream, or -1. */
  findStream(stream: u32): i32 {
    let p = this.count - 1;
    const stop = this.count - FLOW_EXCHANGES;
    while (p >= 0 && p >= stop) {
      const i = this.at(p);
      if (i >= 0 && ex(i).stream == stream) return i;
      p--;
    }
    return -1;
  }
}

const conns = new StaticArray<Conn | null>(MAX_FLOWS);

/** The state of flow f, allocated on first use and reused afterwards. */
export function conn(f: i32): Conn {
  let c = unchecked(conns[f]);
  if (c === null) { c = new Conn(); unchecked(conns[f] = c); }
  return c;
}
