// The state the analysis rooms share (flow/track.ts, flow/, http/, trace/, json/): the
// per-packet results a record is rendered from, the current packet's context, and the
// per-run settings. One object, S, so every reader and writer of a value is visible; its
// fields are reset per packet by resetPacket() (flow/track.ts). S sits at a fixed address (see
// below), so its fields cost what module globals cost.

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
@unmanaged export class AnalysisState {
  /** JSON of the record's `HTTP` object (without the key), or length 0. */
  httpLen: i32;
  /** JSON of the record's `L7` object, or length 0. */
  l7Len: i32;
  /** Text appended to the TCP message (already JSON-escaped), or length 0. */
  suffixLen: i32;
  /** Whether the record has a `message` (false for an HTTP/2 preface-only segment, as upstream). */
  hasMessage: bool;
  /** Exchange whose trace the record carries at top level (-1 none). */
  traceEx: i32;
  /** HTTP/2 frames carry their own trace keys: none at top level. */
  traceInFrames: bool;
  // The current packet: capture time, payload, first sequence number.
  pSec: i64;
  pNsec: i32;
  payload: usize;
  payloadLen: i32;
  segSeq: u32;
  /** Offset (in its direction's stream) of the segment's first new byte (its first byte when it is all retransmitted). */
  segFirst: u32;
  /** The packet's acknowledgement as an offset of the other direction's stream, when that direction is known and ACK is set. */
  segAck: u32;
  segAckKnown: bool;
  /** Offset (in the direction's stream) of the byte being parsed. */
  curOff: u32;
  // HTTP/1: the head rendered for this packet (http/h1exchange.ts → json/http1.ts).
  rendered: bool; // an HTTP/1 head was rendered for this packet
  renderEx: i32;
  renderBodyStart: usize;
  renderBodyLen: i32;
  renderDeclared: i64;
  renderChunked: bool;
  renderBodyOpen: bool; // the rendered message's body continues in this packet
  /** What the analysis gave up for the rendered message (flow/skips.ts Why; 0 none): the HTTP object's `skipped`. */
  renderWhy: i32;
  /** The rendered head was skipped (no buffer): only its kind, code and pairing are known. */
  renderSkipped: bool;
  renderIsRequest: bool;
  renderCode: i32;
  // HTTP/2: this packet's streams, frames and fragments (http/h2exchange.ts → json/http2.ts).
  streamSetN: i32;
  reqSetN: i32;
  resSetN: i32;
  dataSetN: i32;
  h2Frames: i32;
  h2Size: i32;
  h2Preface: bool;
  h2LastStream: u32;
  fragUsed: i32;
  /** JSON of the record's `TLS` object, or length 0. */
  tlsLen: i32;
  // TLS: records of this packet and the hellos seen (flow/tls.ts → json/tls.ts).
  tlsN: i32;
  helloClient: bool;
  helloServer: bool;
  helloBuf: i32;
  helloGen: u32;
  /** A hello completed in this packet but could not be kept (flow/skips.ts Why; 0 none): the TLS object's `skipped`. */
  helloWhy: i32;
}

/**
 * The one analysis state, at a fixed address in static memory: every `S.x` compiles to a load
 * or store at a constant address, as a module global did (an object behind a global pointer
 * cost DEBUG about 3% in the bench). Fields start at zero; initState() sets the others.
 */
export const S = changetype<AnalysisState>(memory.data(offsetof<AnalysisState>()));

/** Gives the fields that do not start at zero their initial values (module start). */
function initState(): void {
  S.hasMessage = true;
  S.traceEx = -1;
  S.renderEx = -1;
  S.helloBuf = -1;
}
initState();
