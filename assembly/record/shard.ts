// One thread's share of a parallel translation. A parallel run gives every thread the whole
// capture; each reads every packet (so serial numbers, the interface table, reader errors and
// the capture clock are the same everywhere) but writes the records of its own packets only:
//   - a TCP packet at DEBUG belongs to the thread holding its connection's part (flow/part.ts,
//     CONN_PARTS parts dealt round-robin to the threads), so all of a connection's state lives
//     in one thread;
//   - every other packet carries no state between packets, and goes by its serial in blocks of
//     SHARD_BLOCK packets, so the threads share stateless traffic evenly.
// Each record written gets a mark (its serial and length) so the host can merge the threads'
// outputs by serial into exactly the bytes one thread writes. Marks are drained with the
// output window, like the record index (record/entry.ts).
//
// Mark layout (MARK_BYTES, little-endian): 0 f64 serial (pcap.num), 8 u32 record length in
// bytes, newline included, 12 u32 reserved (0).

import { CONN_PARTS, SHARD_BLOCK, MARK_CAP, OUT_WINDOWS } from "../config";

/** Bytes of one mark. */
export const MARK_BYTES: i32 = 16;
/** Start of the first mark array (each further output window gets its own, json/writer.ts). */
export const MARK_BASE: usize = heap.alloc(<usize>(MARK_CAP * MARK_BYTES));
const markBases = new StaticArray<usize>(OUT_WINDOWS);
/** Start of the marks of the window being rendered into. */
export let markBase: usize = MARK_BASE;

/** Threads of the run (1: not parallel, every packet is this thread's). */
export let count: i32 = 1;
/** This thread's number, 0 ≤ index < count. */
export let index: i32 = 0;
/** Whether marks are written. */
export let marking = false;
/** Marks waiting to be drained. */
export let marks: i32 = 0;

/** Makes this translator thread `k` of `n` (1 ≤ n ≤ CONN_PARTS); false when out of range. */
export function setShard(k: i32, n: i32): bool {
  if (n < 1 || n > CONN_PARTS || k < 0 || k >= n) return false;
  count = n; index = k;
  return true;
}

/** Whether the packet numbered `serial`, with no connection state, is this thread's. */
@inline export function ownsSerial(serial: u64): bool {
  return <i32>((serial / <u64>SHARD_BLOCK) % <u64>count) == index;
}

/** Whether connection part p is this thread's. */
@inline export function ownsPart(p: i32): bool { return p % count == index; }

/** Turns marks on or off (before the first chunk). */
export function setMarking(on: bool): void { marking = on; marks = 0; }
/** Whether the mark array has no room for another record's mark. */
@inline export function marksFull(): bool { return marking && marks >= MARK_CAP; }
/** The host drained the marks (with the output window), which is now window `w`. */
export function resetMarks(w: i32): void { marks = 0; markBase = w == 0 ? MARK_BASE : unchecked(markBases[w]); }

/** Keeps marks for n output windows (json/writer.ts setWindows). */
export function setWindows(n: i32): void {
  for (let k = 1; k < n && k < OUT_WINDOWS; k++) if (unchecked(markBases[k]) == 0) unchecked(markBases[k] = heap.alloc(<usize>(MARK_CAP * MARK_BYTES)));
}

/** Marks the record numbered `serial`, `len` bytes long. */
export function mark(serial: u64, len: i32): void {
  const m = markBase + <usize>(marks * MARK_BYTES);
  store<f64>(m, <f64>serial);
  store<u32>(m, <u32>len, 8);
  store<u32>(m, 0, 12);
  marks++;
}
