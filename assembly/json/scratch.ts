// Where the renderers of the analysis' objects (HTTP, L7, TLS, the message's suffix) write them
// for record/render.ts to copy into the record in key order, and how long each is (R, 0: none).

import { MAX_HEAD, SCRATCH_CAP } from "../config";
import { renderBuffer } from "./writer";

/** The record's `HTTP` object (without the key). */
export const HTTP_BUF: usize = renderBuffer(SCRATCH_CAP);
// Scratch sizes cover the worst case: every byte of a MAX_HEAD head escaped to 6 bytes.
/** The record's `L7` object. */
export const L7_BUF: usize = renderBuffer(MAX_HEAD * 7 + 4096);
/** Text appended to the TCP message (already JSON-escaped). */
export const SUFFIX_BUF: usize = renderBuffer(MAX_HEAD * 7 + 4096);
/** The record's `TLS` object. */
export const TLS_BUF: usize = renderBuffer(64 << 10);

/** Lengths of what the buffers above hold for the current record. */
@unmanaged export class Rendered {
  /** JSON of the record's `HTTP` object, or 0. */
  httpLen: i32;
  /** JSON of the record's `L7` object, or 0. */
  l7Len: i32;
  /** The message's suffix, or 0. */
  suffixLen: i32;
  /** JSON of the record's `TLS` object, or 0. */
  tlsLen: i32;
}
/** The lengths, at a fixed address (loads and stores at a constant address, as module globals). */
export const R = changetype<Rendered>(memory.data(offsetof<Rendered>()));
