// The facts of the current packet: what the analysis (flow/, http/, trace/) found in it, for
// the renderers (json/) to write. One object, S, so every writer and reader of a value is
// visible; the analysis resets it per packet (flow/track.ts resetPacket) and fills it, the
// renderers only read it. Besides S: the HTTP/1 head rendered for the packet (its bytes and
// parsed spans). HTTP/2 frames are in ./h2.ts, TLS records and hellos in ./tls.ts. No JSON here,
// and no import of the analysis or the renderers (README "The core's rooms").
// S sits at a fixed address (see below), so its fields cost what module globals cost.

import { MAX_HEAD } from "../config";
import { Head } from "./head";

/** The bytes of the HTTP/1 head rendered for this packet (a copy: its buffer may be reused). */
export const RENDER_HEAD: usize = heap.alloc(<usize>MAX_HEAD);
/** The parsed spans of that head (offsets into RENDER_HEAD). */
export const head = new Head();

/** The facts of the current packet (see the file comment). */
@unmanaged export class PacketFacts {
  /** Whether the record has a `message` (false for an HTTP/2 preface-only segment, as upstream). */
  hasMessage: bool;
  /** Exchange whose trace the record carries at top level (-1 none; the analysis' own index). */
  traceEx: i32;
  /** HTTP/2 frames carry their own trace keys: none at top level. */
  traceInFrames: bool;
  // The current packet: capture time, payload, first sequence number.
  pSec: i64;
  pNsec: i32;
  /** The current packet's serial (pcap.num), set by the renderer before the analysis. */
  pNum: u64;
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
  /** No parser claimed (all of) the payload: the record has an `L7` object of the raw payload. */
  l7Raw: bool;
  // HTTP/1: the head rendered for this packet (http/h1exchange.ts → json/http1.ts).
  rendered: bool; // an HTTP/1 head was rendered for this packet
  renderEx: i32;
  /** Bytes of the head in RENDER_HEAD. */
  renderHeadLen: i32;
  renderBodyStart: usize;
  renderBodyLen: i32;
  renderDeclared: i64;
  renderChunked: bool;
  renderBodyOpen: bool; // the rendered message's body continues in this packet
  /** What the analysis gave up for the rendered message (facts/why.ts; 0 none): the HTTP object's `skipped`. */
  renderWhy: i32;
  /** The rendered head was skipped (no buffer): only its kind, code and pairing are known. */
  renderSkipped: bool;
  renderIsRequest: bool;
  renderCode: i32;
  // The request a rendered response answers (reqKnown), as its exchange held it when the
  // analysis of the packet ended: time, what was given up, method and URL (pointers into the
  // exchange, valid until the next packet's analysis).
  reqKnown: bool;
  reqTsSec: i64;
  reqTsNsec: i32;
  reqWhy: i32;
  reqMethod: usize;
  reqMethodLen: i32;
  reqUrl: usize;
  reqUrlLen: i32;
  // The trace the record carries at top level (topValid), copied from its exchange.
  topValid: bool;
  topHasSpan: bool;
  topSampled: bool;
  topSpan: u64;
  topTraceBuf: usize;
  topTraceLen: i32;
  // HTTP/2: the record has an HTTP object of frames (h2Object); counts of this packet's
  // frames and bytes; its streams in ./h2.ts.
  h2Object: bool;
  streamSetN: i32;
  reqSetN: i32;
  resSetN: i32;
  dataSetN: i32;
  h2Frames: i32;
  h2Size: i32;
  h2Preface: bool;
  h2LastStream: u32;
  /** Frames described in ./h2.ts. */
  fragUsed: i32;
  /** A frame could not be described (MAX_FRAMES, or the arena was full): later ones are not either. */
  h2Cut: bool;
  // TLS: the record has a TLS object (tlsObject); records of this packet and the hellos seen (./tls.ts).
  tlsObject: bool;
  tlsN: i32;
  helloClient: bool;
  helloServer: bool;
  helloBuf: i32;
  helloGen: u32;
  /** The record shows the hello in helloBuf: the buffer goes back at the next packet. */
  helloRelease: bool;
  /** A hello completed in this packet but could not be kept (facts/why.ts; 0 none): the TLS object's `skipped`. */
  helloWhy: i32;
}

/**
 * The one facts object, at a fixed address in static memory: every `S.x` compiles to a load
 * or store at a constant address, as a module global did (an object behind a global pointer
 * cost DEBUG about 3% in the bench). Fields start at zero; initState() sets the others.
 */
export const S = changetype<PacketFacts>(memory.data(offsetof<PacketFacts>()));

/** Gives the fields that do not start at zero their initial values (module start). */
function initState(): void {
  S.hasMessage = true;
  S.traceEx = -1;
  S.renderEx = -1;
  S.helloBuf = -1;
}
initState();
