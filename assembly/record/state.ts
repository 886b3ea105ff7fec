// The state the analysis rooms share (flow/track.ts, flow/, http/, trace/, json/): the
// per-packet results a record is rendered from, the current packet's context, and the
// per-run settings. One object, S, so every reader and writer of a value is visible; its
// fields are reset per packet by resetPacket() (flow/track.ts). Fields of an object rather
// than module globals cost nothing measurable (issue 11: core packets/s before and after within
// the bench's noise).

import { MAX_HEAD, SCRATCH_CAP } from "../config";
import { renderBuffer } from "../json/writer";
import { Head } from "../http/h1";
import { TraceRepr } from "../trace/context";

// The record's HTTP, L7 and message-suffix fragments are rendered into these by the analysis'
// renderers (json/http1, http2, l7) and copied into the record by render.ts.
export const HTTP_BUF: usize = renderBuffer(SCRATCH_CAP);
// Scratch sizes cover the worst case: every byte of a MAX_HEAD head escaped to 6 bytes.
export const L7_BUF: usize = renderBuffer(MAX_HEAD * 7 + 4096);
export const SUFFIX_BUF: usize = renderBuffer(MAX_HEAD * 7 + 4096);

@inline export function httpPtr(): usize { return HTTP_BUF; }
@inline export function l7Ptr(): usize { return L7_BUF; }
@inline export function suffixPtr(): usize { return SUFFIX_BUF; }

// Scratch objects of the current packet shared by the parsers: the head being parsed, a second
// head, the rendered head's bytes, and a trace context.
export const head = new Head();
export const tmpHead = new Head();
export const RENDER_HEAD: usize = heap.alloc(<usize>MAX_HEAD);
export const trace2 = new TraceRepr();

/** The analysis state (see the file comment). */
export class AnalysisState {
  /** JSON of the record's `HTTP` object (without the key), or length 0. */
  httpLen: i32 = 0;
  /** JSON of the record's `L7` object, or length 0. */
  l7Len: i32 = 0;
  /** Text appended to the TCP message (already JSON-escaped), or length 0. */
  suffixLen: i32 = 0;
  /** Whether the record has a `message` (false for an HTTP/2 preface-only segment, as upstream). */
  hasMessage: bool = true;
  /** Exchange whose trace the record carries at top level (-1 none). */
  traceEx: i32 = -1;
  /** HTTP/2 frames carry their own trace keys: none at top level. */
  traceInFrames: bool = false;
  // The current packet: capture time, payload, first sequence number.
  pSec: i64 = 0;
  pNsec: i32 = 0;
  payload: usize = 0;
  payloadLen: i32 = 0;
  segSeq: u32 = 0;
  /** Offset (in the direction's stream) of the byte being parsed. */
  curOff: u32 = 0;
  // HTTP/1: the head rendered for this packet (http/h1exchange.ts → json/http1.ts).
  rendered: bool = false; // an HTTP/1 head was rendered for this packet
  renderEx: i32 = -1;
  renderBodyStart: usize = 0;
  renderBodyLen: i32 = 0;
  renderDeclared: i64 = 0;
  renderChunked: bool = false;
  renderBodyOpen: bool = false; // the rendered message's body continues in this packet
  // HTTP/2: this packet's streams, frames and fragments (http/h2exchange.ts → json/http2.ts).
  streamSetN: i32 = 0;
  reqSetN: i32 = 0;
  resSetN: i32 = 0;
  dataSetN: i32 = 0;
  h2Frames: i32 = 0;
  h2Size: i32 = 0;
  h2Preface: bool = false;
  h2LastStream: u32 = 0;
  fragUsed: i32 = 0;
  /** JSON of the record's `TLS` object, or length 0. */
  tlsLen: i32 = 0;
  // TLS: records of this packet and the hellos seen (flow/tls.ts → json/tls.ts).
  tlsN: i32 = 0;
  helloClient: bool = false;
  helloServer: bool = false;
  helloBuf: i32 = -1;
}

/** The one analysis state. */
export const S = new AnalysisState();
