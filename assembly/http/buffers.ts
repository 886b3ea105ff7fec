// Byte buffers for the parsers, from two pools (flow/pool.ts): head buffers (MAX_HEAD +
// HEAD_EXTRA bytes) for HTTP/1 message heads, HTTP/2 header blocks and control frames, and TLS
// hellos; and sample buffers (SAMPLE_BYTES) for frames that straddle segments and are only
// sampled, so bulk HTTP/2 DATA never holds a head buffer. A direction holds one only while a
// head, block, hello or frame is incomplete.
//
// A buffer is named by a handle: head buffers are 0 … HEAD_BUFFERS−1, sample buffers follow.
// The holder keeps the handle's generation (bufGen) and checks bufValid() before use: a buffer
// reclaimed from an idle connection is then noticed by its holder.

import { MAX_HEAD, HEAD_EXTRA, HEAD_BUFFERS, SAMPLE_BUFFERS, SAMPLE_BYTES } from "../config";
import { Pool } from "../flow/pool";

/** Bytes of a head buffer. */
export const HEAD_BUF_BYTES: i32 = MAX_HEAD + HEAD_EXTRA;

/** The head buffer pool. */
export const heads = new Pool(HEAD_BUFFERS);
/** The sample buffer pool. */
export const samples = new Pool(SAMPLE_BUFFERS);

let headBase: usize = 0;
let sampleBase: usize = 0;

/** Takes a head buffer for owner (flow·2 + dir); -1 when none can be had. */
export function takeBuf(owner: i32): i32 {
  const i = heads.take(owner);
  if (i >= 0 && headBase == 0) headBase = heap.alloc(<usize>HEAD_BUF_BYTES * <usize>HEAD_BUFFERS);
  return i;
}

/** Takes a sample buffer for owner; -1 when none can be had. */
export function takeSample(owner: i32): i32 {
  const i = samples.take(owner);
  if (i < 0) return -1;
  if (sampleBase == 0) sampleBase = heap.alloc(<usize>SAMPLE_BYTES * <usize>SAMPLE_BUFFERS);
  return HEAD_BUFFERS + i;
}

/** Generation of handle h, to keep with it. */
export function bufGen(h: i32): u32 { return h < HEAD_BUFFERS ? unchecked(heads.gen[h]) : unchecked(samples.gen[h - HEAD_BUFFERS]); }

/** Whether handle h is still held under generation g (false for -1). */
export function bufValid(h: i32, g: u32): bool {
  if (h < 0) return false;
  return h < HEAD_BUFFERS ? heads.valid(h, g) : samples.valid(h - HEAD_BUFFERS, g);
}

/** Returns buffer h if still held under generation g (ignores -1 and reclaimed buffers). */
export function freeBuf(h: i32, g: u32): void {
  if (h < 0) return;
  if (h < HEAD_BUFFERS) heads.free(h, g); else samples.free(h - HEAD_BUFFERS, g);
}

/** Address of buffer h. */
@inline export function bufPtr(h: i32): usize {
  return h < HEAD_BUFFERS ? headBase + <usize>h * <usize>HEAD_BUF_BYTES : sampleBase + <usize>(h - HEAD_BUFFERS) * <usize>SAMPLE_BYTES;
}

/** Bytes of buffer h. */
@inline export function bufCap(h: i32): i32 { return h < HEAD_BUFFERS ? HEAD_BUF_BYTES : SAMPLE_BYTES; }
