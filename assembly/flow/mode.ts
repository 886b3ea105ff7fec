// A connection's mode (HTTP/1, HTTP/2, TLS, opaque): detection from the first bytes of each
// direction, gaps in the sequence space, and feeding each segment's payload to the parser of the
// mode.

import { Conn, Mode } from "./conn";
import { H1, h1Resync, looksLikeStart as looksLikeStartAt } from "../http/h1";
import { Frame, h2Start, isPreface } from "../http/h2";
import { freeBuf } from "../http/buffers";
import { table } from "../http/hpackpool";
import { feedTls, plausibleTlsRecord } from "./tls";
import { feedH1 } from "../http/h1exchange";
import { feedH2 } from "../http/h2exchange";
import { renderL7 } from "../json/l7";
import { roleFallback } from "./track";
import { head } from "../record/state";

// Whether a frame header at p is plausible (RFC 9113 §6: known type, length within the default
// SETTINGS_MAX_FRAME_SIZE, stream 0 exactly for the connection-level types).
function plausibleFrame(p: usize): bool {
  const fl = (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p + 1) << 8) | <u32>load<u8>(p + 2);
  const ty = <u32>load<u8>(p + 3);
  const sid = ((<u32>load<u8>(p + 5) << 24) | (<u32>load<u8>(p + 6) << 16) | (<u32>load<u8>(p + 7) << 8) | <u32>load<u8>(p + 8));
  if (ty > 9 || fl > 16384 || (sid & 0x80000000) != 0) return false;
  const connLevel = ty == Frame.SETTINGS || ty == Frame.PING || ty == Frame.GOAWAY;
  if (connLevel != (sid == 0) && ty != Frame.WINDOW_UPDATE) return false;
  if (ty == Frame.SETTINGS && fl % 6 != 0) return false;
  if (ty == Frame.PING && fl != 8) return false;
  if ((ty == Frame.RST_STREAM || ty == Frame.WINDOW_UPDATE) && fl != 4) return false;
  return true;
}

// Whether a segment starts with HTTP/2 frames: a capture that joins an HTTP/2 connection after
// its preface. Frames must chain plausibly to the end of the segment, or at least two must.
export function looksLikeH2(p: usize, len: i32): bool {
  let off = 0, frames = 0;
  while (off + 9 <= len) {
    if (!plausibleFrame(p + <usize>off)) return false;
    off += 9 + <i32>((<u32>load<u8>(p + <usize>off) << 16) | (<u32>load<u8>(p + <usize>(off + 1)) << 8) | <u32>load<u8>(p + <usize>(off + 2)));
    frames++;
  }
  return frames >= 2 || (frames == 1 && off == len);
}

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
    h1Resync(unchecked(c.d[0])); h1Resync(unchecked(c.d[1]));
    return;
  }
  if (looksLikeH2(p, len)) {
    // Joined mid-connection: each direction waits for a segment that starts at a frame boundary.
    roleFallback(c); setMode(c, Mode.HTTP2, -1);
    unchecked(c.d[0]).h2st = H2_SYNC; unchecked(c.d[1]).h2st = H2_SYNC;
  }
  // Otherwise the mode stays unknown and the next segment is tried.
}

/** Framer state of a direction that joined mid-stream and has not found a frame boundary yet. */
export const H2_SYNC: i32 = 3;

export function gap(c: Conn, dir: i32): void {
  const d = unchecked(c.d[dir]);
  if (c.mode == Mode.HTTP1) { h1Resync(d); d.cur = -1; }
  else if (c.mode == Mode.TLS) { d.tlsLost = true; freeBuf(d.head); d.head = -1; }
  else if (c.mode == Mode.HTTP2) {
    // Frame boundaries are lost with the bytes: wait for a segment that starts a frame. The
    // HPACK table may have missed insertions, so it is emptied: older references decode as
    // unknown instead of as the wrong entry.
    d.h2st = H2_SYNC; d.fhdrLen = 0; d.fLeft = 0;
    if (d.hpack >= 0) table(d.hpack).forget();
    freeBuf(d.blockBuf); d.blockBuf = -1; freeBuf(d.fBuf); d.fBuf = -1;
  }
}

export function feed(c: Conn, dir: i32, p: usize, len: i32): void {
  if (c.mode == Mode.UNKNOWN) detect(c, dir, p, len);
  if (c.mode == Mode.HTTP1) feedH1(c, dir, p, len);
  else if (c.mode == Mode.HTTP2) feedH2(c, dir, p, len);
  else if (c.mode == Mode.TLS) { feedTls(c, dir, p, len); renderL7(p, len); }
  else renderL7(p, len);
}

