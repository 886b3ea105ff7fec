// Pool of byte buffers for message heads and HTTP/2 header blocks: a direction holds one only
// while a head or block is incomplete. Each connection part (flow/part.ts) has its own equal
// share, so one part running out never takes a buffer from another.

import { MAX_HEAD, HEAD_BUFFERS, CONN_PARTS } from "../config";
import { cur as curPart } from "../flow/part";

const PART_BUFFERS: i32 = HEAD_BUFFERS / CONN_PARTS;
let BASE: usize = 0;
// Per part: a stack of free buffer indices inside the part's range of freeList.
const freeList = new StaticArray<i32>(HEAD_BUFFERS);
const freeTop = new StaticArray<i32>(CONN_PARTS);
let ready = false;
/** Buffers refused because the pool was empty (that head is skipped; context lost). */
export let exhausted: u64 = 0;

function init(): void {
  BASE = heap.alloc(<usize>(MAX_HEAD * HEAD_BUFFERS));
  for (let p = 0; p < CONN_PARTS; p++) {
    const base = p * PART_BUFFERS;
    for (let i = 0; i < PART_BUFFERS; i++) unchecked(freeList[base + i] = base + PART_BUFFERS - 1 - i);
    unchecked(freeTop[p] = PART_BUFFERS);
  }
  ready = true;
}

/** Takes a buffer (MAX_HEAD bytes) from the current part's share; -1 when none is free. */
export function takeBuf(): i32 {
  if (!ready) init();
  const p = curPart;
  const top = unchecked(freeTop[p]);
  if (top == 0) { exhausted++; return -1; }
  unchecked(freeTop[p] = top - 1);
  return unchecked(freeList[p * PART_BUFFERS + top - 1]);
}

/** Returns a buffer to its part's share (ignores -1). */
export function freeBuf(i: i32): void {
  if (i < 0) return;
  const p = i / PART_BUFFERS;
  const top = unchecked(freeTop[p]);
  unchecked(freeList[p * PART_BUFFERS + top] = i); unchecked(freeTop[p] = top + 1);
}

/** Address of buffer i. */
@inline export function bufPtr(i: i32): usize { return BASE + <usize>(i * MAX_HEAD); }
