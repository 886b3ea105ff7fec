// A connection's mode (HTTP/1, HTTP/2, TLS, opaque): detection from the first bytes of each
// direction, gaps in the sequence space, and feeding each segment's payload to the parser of the
// mode.

import { Conn, Dir, Mode } from "./conn";
import { H1, h1Resync, looksLikeStart as looksLikeStartAt } from "../http/h1";
import { h2Start, isPreface, looksLikeH2, H2_SYNC, HPACK_JOINED, HPACK_DESYNC } from "../http/h2";
import { freeBuf, bufValid } from "../http/buffers";
import { table, tableValid } from "../http/hpackpool";
import { feedTls, plausibleTlsRecord } from "./tls";
import { feedH1, h1Gap, headLost, h1Fin } from "../http/h1exchange";
import { Why } from "./skips";
import { S } from "../facts/packet";
import { feedH2 } from "../http/h2exchange";
import { roleFallback } from "./roles";

// Whether the segment has a line that starts an HTTP/1 request or status line.
function hasH1Start(p: usize, len: i32): bool {
  let lineStart = true;
  for (let i = 0; i < len; i++) {
    if (lineStart && looksLikeStartAt(p + <usize>i, len - i)) return true;
    lineStart = load<u8>(p + <usize>i) == 0x0a;
  }
  return false;
}

export function joinMidstream(c: Conn, dir: i32): void {
  const d = unchecked(c.d[dir]);
  if (c.mode == Mode.HTTP1) h1Resync(d);
}

function setMode(c: Conn, m: Mode, prefaceDir: i32): void {
  c.mode = m;
  for (let i = 0; i < 2; i++) {
    const d = unchecked(c.d[i]);
    if (m == Mode.HTTP1) { d.st = d.known ? H1.START : H1.RESYNC; }
    if (m == Mode.HTTP2) h2Start(d, i == prefaceDir);
  }
}

function detect(c: Conn, dir: i32, p: usize, len: i32): void {
  if (isPreface(p, len)) { if (c.client < 0) c.client = dir; setMode(c, Mode.HTTP2, dir); return; }
  if (plausibleTlsRecord(p, len)) { c.mode = Mode.TLS; return; }
  if (hasH1Start(p, len)) {
    setMode(c, Mode.HTTP1, -1);
    // A direction seen from its SYN, with none of its bytes parsed yet, starts at a message;
    // any other may be mid-message (a capture that joined the connection late).
    for (let i = 0; i < 2; i++) {
      const d = unchecked(c.d[i]);
      if (d.fromStart && (i == dir ? S.curOff == 0 : d.next == d.base)) d.st = H1.START; else h1Resync(d);
    }
    return;
  }
  if (looksLikeH2(p, len)) {
    // Joined mid-connection: each direction waits for a segment that starts at a frame boundary,
    // and its HPACK table lacks whatever the encoder added before the capture began.
    roleFallback(c); setMode(c, Mode.HTTP2, -1);
    unchecked(c.d[0]).h2st = H2_SYNC; unchecked(c.d[1]).h2st = H2_SYNC;
    unchecked(c.d[0]).hpackGap = HPACK_JOINED; unchecked(c.d[1]).hpackGap = HPACK_JOINED;
  }
  // Otherwise the mode stays unknown and the next segment is tried.
}

/** Direction dir sent its FIN, in order (every byte before it seen): a message framed by the close ends there. */
export function finSeen(c: Conn, dir: i32): void {
  if (c.mode == Mode.HTTP1) h1Fin(c, dir);
}

/** n bytes of direction dir were lost before the current segment (lost by the capture, or still to come out of order). */
export function gap(c: Conn, dir: i32, n: u32): void {
  const d = unchecked(c.d[dir]);
  if (c.mode == Mode.HTTP1) h1Gap(c, dir, n);
  else if (c.mode == Mode.TLS) { d.tlsLost = true; freeBuf(d.head, d.headGen); d.head = -1; }
  else if (c.mode == Mode.HTTP2) {
    // Frame boundaries are lost with the bytes: wait for a segment that starts a frame. The
    // HPACK table may have missed insertions, so it is emptied: older references decode as
    // unknown instead of as the wrong entry.
    d.h2st = H2_SYNC; d.fhdrLen = 0; d.fLeft = 0;
    if (d.hpack >= 0) table(d.hpack).forget();
    d.hpackGap = HPACK_DESYNC;
    freeBuf(d.blockBuf, d.blockGen); d.blockBuf = -1; freeBuf(d.fBuf, d.fBufGen); d.fBuf = -1;
  }
}

// Notices the pooled resources direction d lost to another connection while it was idle
// (flow/pool.ts): each parser then goes on without, and its records say what was lost.
function lost(c: Conn, dir: i32, d: Dir): void {
  if (d.head >= 0 && !bufValid(d.head, d.headGen)) {
    if (c.mode == Mode.HTTP1 && (d.st == H1.HEAD || d.st == H1.HEAD_OVER)) headLost(c, dir);
    else { d.head = -1; if (c.mode == Mode.TLS) d.helloWhy = Why.BUFFER_RECLAIMED; }
  }
  if (d.fBuf >= 0 && !bufValid(d.fBuf, d.fBufGen)) { d.fBuf = -1; d.fWhy = Why.BUFFER_RECLAIMED; }
  if (d.blockBuf >= 0 && !bufValid(d.blockBuf, d.blockGen)) { d.blockBuf = -1; d.blockWhy = Why.BUFFER_RECLAIMED; }
  if (d.hpack >= 0 && !tableValid(d.hpack, d.hpackGen)) { d.hpack = -1; d.hpackGap = HPACK_DESYNC; }
}

/** Bytes of a stream's start needed to tell its protocol (a TLS record header is 5, a request line's method and target start, or "HTTP/1.1 200" 12). */
const DETECT_BYTES: i32 = 16;
// Scratch for the detection of a stream whose first bytes came in segments too short to tell.
const DETECT_CAP: i32 = 16384;
const DETECT_BUF: usize = heap.alloc(<usize>(DETECT_CAP + DETECT_BYTES));

export function feed(c: Conn, dir: i32, p: usize, len: i32): void {
  const d = unchecked(c.d[dir]);
  if (c.mode == Mode.UNKNOWN) {
    if (d.pfxLen > 0) {
      // Bytes kept from the stream's first segments: detect on them and these, and if that
      // tells the protocol, the parser takes the kept bytes first.
      const n = len < DETECT_CAP ? len : DETECT_CAP;
      const k = d.pfxLen;
      for (let i = 0; i < k; i++) store<u8>(DETECT_BUF + <usize>i, pfxGet(d, i));
      memory.copy(DETECT_BUF + <usize>k, p, <usize>n);
      const at = S.curOff;
      S.curOff = at - <u32>k;
      detect(c, dir, DETECT_BUF, k + n);
      if (c.mode != Mode.UNKNOWN) { d.pfxLen = 0; d.pfx0 = 0; d.pfx1 = 0; feedMode(c, dir, DETECT_BUF, k); }
      S.curOff = at;
    } else detect(c, dir, p, len);
    // Still too few of a stream's first bytes to tell its protocol: keep them until more come
    // (a client may send "GE" and "T / HTTP/1.1…" apart, or a TLS record header in pieces).
    if (c.mode == Mode.UNKNOWN) {
      if (d.fromStart && S.curOff == <u32>d.pfxLen && d.pfxLen + len < DETECT_BYTES) {
        for (let i = 0; i < len; i++) pfxSet(d, d.pfxLen + i, load<u8>(p + <usize>i));
        d.pfxLen += len;
      } else { d.pfxLen = 0; d.pfx0 = 0; d.pfx1 = 0; }
      if (len > 0) S.l7Raw = true;
      return;
    }
  } else lost(c, dir, d);
  feedMode(c, dir, p, len);
}

@inline function pfxGet(d: Dir, i: i32): u8 { return <u8>((i < 8 ? d.pfx0 >> <u64>(i * 8) : d.pfx1 >> <u64>((i - 8) * 8)) & 0xff); }
@inline function pfxSet(d: Dir, i: i32, v: u8): void {
  if (i < 8) d.pfx0 |= <u64>v << <u64>(i * 8); else d.pfx1 |= <u64>v << <u64>((i - 8) * 8);
}

// Feeds bytes to the parser of the connection's mode.
function feedMode(c: Conn, dir: i32, p: usize, len: i32): void {
  if (c.mode == Mode.HTTP1) feedH1(c, dir, p, len);
  else if (c.mode == Mode.HTTP2) feedH2(c, dir, p, len);
  else if (c.mode == Mode.TLS) { feedTls(c, dir, p, len); if (len > 0) S.l7Raw = true; }
  else if (len > 0) S.l7Raw = true;
}
