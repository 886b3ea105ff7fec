// The HTTP/2 facts of the current packet (RFC 9113): its frames in arrival order — type, flags,
// stream, length, what their header block decoded to, what was given up, the trace of their
// stream — and the streams it opened, answered and carried data on. http/h2exchange.ts writes
// them while it parses; json/http2.ts renders them after. Decoded header fields (the HPACK
// decoder's output format, below) and payload bytes that would not outlive the packet are kept
// in one arena of H2_FACTS_BYTES; both bounds are per packet (S.fragUsed frames, arenaUsed).

import { MAX_FRAMES, H2_FACTS_BYTES, MAX_STREAMS_LISTED } from "../config";

/** Stream ids of this packet's frames, requests, responses and DATA frames, ascending. */
export const streamSet = new StaticArray<u32>(MAX_STREAMS_LISTED);
export const reqSet = new StaticArray<u32>(MAX_STREAMS_LISTED);
export const resSet = new StaticArray<u32>(MAX_STREAMS_LISTED);
export const dataSet = new StaticArray<u32>(MAX_STREAMS_LISTED);

// Per frame (index 0 .. S.fragUsed-1), in arrival order.
/** Stream id. */
export const fStream = new StaticArray<u32>(MAX_FRAMES);
/** Frame type, flags and length (RFC 9113 §4.1). */
export const fType = new StaticArray<u8>(MAX_FRAMES);
export const fFlags = new StaticArray<u8>(MAX_FRAMES);
export const fLen = new StaticArray<u32>(MAX_FRAMES);
/** What a complete header block is: 0 unknown, 1 request, 2 response, 3 trailers. */
export const fKind = new StaticArray<u8>(MAX_FRAMES);
/** Why fields could not be resolved (0, or Dir.hpackGap's values, or HPACK_EVICTED). */
export const fHpack = new StaticArray<u8>(MAX_FRAMES);
/** What was given up for the frame's header block (facts/why.ts). */
export const fWhy = new StaticArray<u8>(MAX_FRAMES);
/** Fields that referred to entries the table did not have. */
export const fUnknown = new StaticArray<i32>(MAX_FRAMES);
/** Decoded fields of the block the frame ended, at arena offset fHdrOff (-1: none to show), fHdrLen bytes. */
export const fHdrOff = new StaticArray<i32>(MAX_FRAMES);
export const fHdrLen = new StaticArray<i32>(MAX_FRAMES);
/** Payload bytes the record shows (DATA: the data after padding, SETTINGS: the settings), fAvail of them captured at fPtr; DATA's length after padding. */
export const fPtr = new StaticArray<usize>(MAX_FRAMES);
export const fAvail = new StaticArray<i32>(MAX_FRAMES);
export const fDataLen = new StaticArray<i32>(MAX_FRAMES);
/** The stream's trace (fTraceOff -1: none): id at arena offset fTraceOff, fTraceLen bytes; span id; bits 1 has span, 2 sampled. */
export const fTraceOff = new StaticArray<i32>(MAX_FRAMES);
export const fTraceLen = new StaticArray<i32>(MAX_FRAMES);
export const fSpan = new StaticArray<u64>(MAX_FRAMES);
export const fTraceBits = new StaticArray<u8>(MAX_FRAMES);

/** fHpack's value beyond Dir.hpackGap's: the table is complete but could not hold the entry. */
export const HPACK_EVICTED: u8 = 3;

/** The arena of the current packet's HTTP/2 facts. */
export const ARENA: usize = heap.alloc(<usize>H2_FACTS_BYTES);
/** Bytes of the arena in use for the current packet. */
export let arenaUsed: i32 = 0;
/** Empties the arena (a new packet). */
@inline export function arenaReset(): void { arenaUsed = 0; }
/** Whether n more bytes fit in the arena. */
@inline export function arenaRoom(n: i32): bool { return arenaUsed <= H2_FACTS_BYTES - n; }
/** The arena's first free byte. */
@inline export function arenaNext(): usize { return ARENA + <usize>arenaUsed; }
/** Takes n bytes at the arena's first free byte (arenaRoom(n) checked), returning their offset. */
@inline export function arenaTake(n: i32): i32 { const o = arenaUsed; arenaUsed += n; return o; }

// Decoded fields, as http/hpack.ts writes them: u8 flags (bit 0: the name was not resolved),
// u8 0, u16 name length, u32 value length (little-endian), name, value.
/** The name of the field at p. */
@inline export function fName(p: usize): usize { return p + 8; }
/** The length of the field's name. */
@inline export function fNameLen(p: usize): i32 { return <i32>load<u16>(p + 2); }
/** The length of the field's value (it follows the name). */
@inline export function fValueLen(p: usize): i32 { return <i32>load<u32>(p + 4); }
/** The field after the one at p. */
@inline export function fNext(p: usize): usize { return p + 8 + <usize>fNameLen(p) + <usize>fValueLen(p); }
/** Whether the field's name could not be resolved (a reference the table did not have). */
@inline export function fUnresolved(p: usize): bool { return (load<u8>(p) & 1) != 0; }
/** Whether the field at p is named s (ASCII, lowercase; the name compared case-insensitively for letters). */
export function fIs(p: usize, s: string): bool {
  if (fNameLen(p) != s.length) return false;
  for (let i = 0; i < s.length; i++) if ((<u32>load<u8>(fName(p) + <usize>i) | (s.charCodeAt(i) >= 0x61 ? 0x20 : 0)) != <u32>s.charCodeAt(i)) return false;
  return true;
}
