// Pool of byte buffers for message heads and HTTP/2 header blocks, shared by all connection
// directions: a direction holds one only while a head or block is incomplete.

import { MAX_HEAD, HEAD_BUFFERS } from "../config";

let BASE: usize = 0;
const freeList = new StaticArray<i32>(HEAD_BUFFERS);
let freeTop: i32 = -1;
/** Buffers refused because the pool was empty (that head is skipped; context lost). */
export let exhausted: u64 = 0;

function init(): void {
  BASE = heap.alloc(<usize>(MAX_HEAD * HEAD_BUFFERS));
  freeTop = 0;
  for (let i = HEAD_BUFFERS - 1; i >= 0; i--) unchecked(freeList[freeTop++] = i);
}

/** Takes a buffer (MAX_HEAD bytes); -1 when none is free. */
export function takeBuf(): i32 {
  if (freeTop < 0) init();
  if (freeTop == 0) { exhausted++; return -1; }
  return unchecked(freeList[--freeTop]);
}

/** Returns a buffer to the pool (ignores -1). */
export function freeBuf(i: i32): void { if (i >= 0) unchecked(freeList[freeTop++] = i); }

/** Address of buffer i. */
@inline export function bufPtr(i: i32): usize { return BASE + <usize>(i * MAX_HEAD); }
