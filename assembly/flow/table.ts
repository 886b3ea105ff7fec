// The connection table: fixed capacity, keyed by the exact connection (interface, IP version,
// both addresses, both ports), not by pcap-sidecar's flow id, which collides whenever port sums
// match. Open addressing with linear probing and backward-shift deletion (Knuth 6.4,
// Algorithm R) over preallocated arrays.
//
// Every connection is in one of three states, each with its own least-recently-seen list per
// part, so every choice the lifecycle makes is O(1): LIVE connections; ENDED ones (FIN both
// ways, or a RST), which keep their state for the late ACKs and retransmissions of the next
// RELEASE_NS; and GONE ones, tombstones whose resources went back to their pools, kept so late
// packets are still known as the old connection's. When a part is full, its oldest tombstone
// makes room first, then its oldest ended connection, and a live one only when it has neither.
//
// The key is stored canonically (the lower endpoint first) so both directions find the same
// entry; `dirOf` tells which direction a packet travels: 0 = A→B, 1 = B→A.
//
// Connections live in CONN_PARTS parts (flow/part.ts) chosen by the key's hash: part p owns the
// flow indices [p·PART_FLOWS, (p+1)·PART_FLOWS), with its own free list, capacity and
// least-recently-seen list, so eviction in one part never depends on another's connections.
// The slot array is shared: a lookup compares whole keys, so other parts' entries only lengthen
// probes, never change an answer.

import { MAX_FLOWS, CONN_PARTS } from "../config";
import { partOfHash } from "./part";

// iface u32, ver u8, pad u8, portA u16, portB u16, pad u16, addrA[16] at 12, addrB[16] at 28: 44
// bytes, stored in 48 (three 16-byte words; the last 4 bytes stay zero). The key was 40 bytes
// until the connection parts came: the last 4 bytes of an IPv6 addrB were written past it and
// left out of the comparison, so two IPv6 connections differing only there shared state.
const KEY_BYTES: i32 = 48;
/** A connection's state in the table (see the file comment). */
export const enum State { LIVE = 0, ENDED = 1, GONE = 2 }
const STATES: i32 = 3;
const KEY_WORDS: i32 = 11;
const SLOTS: i32 = MAX_FLOWS * 2;
/** Flow indices of one part. */
const PART_FLOWS: i32 = MAX_FLOWS / CONN_PARTS;

const KEYS: usize = heap.alloc(<usize>(MAX_FLOWS * KEY_BYTES));
const slots = new StaticArray<i32>(SLOTS);          // flow index + 1, 0 = empty
const slotOf = new StaticArray<i32>(MAX_FLOWS);     // where each flow sits in `slots`
const hashOf = new StaticArray<u32>(MAX_FLOWS);
const prev = new StaticArray<i32>(MAX_FLOWS);
const next = new StaticArray<i32>(MAX_FLOWS);
const states = new StaticArray<u8>(MAX_FLOWS);
/** Capture clock at the last packet of each flow (ns since the epoch; flow/track.ts). */
export const lastSeen = new StaticArray<i64>(MAX_FLOWS);
const inUse = new StaticArray<bool>(MAX_FLOWS);
// Per part: free indices (a stack inside the part's own range of freeList), LRU ends.
const freeTop = new StaticArray<i32>(CONN_PARTS);
const freeList = new StaticArray<i32>(MAX_FLOWS);
// Per part and state (index part·STATES + state): least and most recently seen, -1 = none.
const lruHead = new StaticArray<i32>(CONN_PARTS * STATES);
const lruTail = new StaticArray<i32>(CONN_PARTS * STATES);
/** Connections in the table. */
export let flowCount: i32 = 0;

/** The part flow f belongs to. */
@inline export function partOf(f: i32): i32 { return f / PART_FLOWS; }

// Scratch key of the packet being looked up.
const KEY: usize = heap.alloc(<usize>KEY_BYTES);
/** Direction of the packet just looked up: 0 = A→B (source is the canonical A), 1 = B→A. */
export let dirOf: i32 = 0;
// Hash of the scratch key, computed once by makeKey() for find(), insert() and keyPart().
let keyH: u32 = 0;

/**
 * Initialises the free lists; cap (0: MAX_FLOWS) limits the connections tracked, each part
 * holding cap / CONN_PARTS of them, rounded up.
 */
export function initTable(cap: i32): void {
  const total = cap > 0 && cap <= MAX_FLOWS ? cap : MAX_FLOWS;
  const share = (total + CONN_PARTS - 1) / CONN_PARTS;
  for (let i = 0; i < SLOTS; i++) unchecked(slots[i] = 0);
  for (let p = 0; p < CONN_PARTS; p++) {
    const base = p * PART_FLOWS;
    let top = 0;
    for (let i = share - 1; i >= 0; i--) { unchecked(freeList[base + top++] = base + i); unchecked(inUse[base + i] = false); }
    unchecked(freeTop[p] = top);
  }
  for (let i = 0; i < CONN_PARTS * STATES; i++) { unchecked(lruHead[i] = -1); unchecked(lruTail[i] = -1); }
  flowCount = 0;
}

/** Builds the lookup key from a packet's addresses (len 4 or 16) and ports. */
export function makeKey(iface: i32, src: usize, dst: usize, alen: i32, sp: u32, dp: u32): void {
  // Plain loads and stores: V8 compiles memory.fill/copy to calls into C, which cost more than
  // these few bytes (this runs for every TCP packet at DEBUG).
  const zero = i64x2.splat(0);
  v128.store(KEY, zero); v128.store(KEY + 16, zero); v128.store(KEY + 32, zero);
  store<u32>(KEY, <u32>iface);
  store<u8>(KEY + 4, <u8>alen);
  // Canonical order: compare (address, port) of both ends (addresses bytewise, as big-endian numbers).
  let c: i32;
  if (alen == 4) {
    const a = bswap<u32>(load<u32>(src)), z = bswap<u32>(load<u32>(dst));
    c = a < z ? -1 : a > z ? 1 : 0;
  } else if (alen == 16) {
    let a = bswap<u64>(load<u64>(src)), z = bswap<u64>(load<u64>(dst));
    if (a == z) { a = bswap<u64>(load<u64>(src, 8)); z = bswap<u64>(load<u64>(dst, 8)); }
    c = a < z ? -1 : a > z ? 1 : 0;
  } else c = memory.compare(src, dst, <usize>alen);
  if (c == 0) c = sp < dp ? -1 : sp > dp ? 1 : 0;
  const lo = c <= 0 ? src : dst, hi = c <= 0 ? dst : src;
  dirOf = c <= 0 ? 0 : 1;
  store<u16>(KEY + 6, <u16>(c <= 0 ? sp : dp)); store<u16>(KEY + 8, <u16>(c <= 0 ? dp : sp));
  if (alen == 16) { v128.store(KEY + 12, v128.load(lo)); v128.store(KEY + 28, v128.load(hi)); }
  else if (alen == 4) { store<u32>(KEY + 12, load<u32>(lo)); store<u32>(KEY + 28, load<u32>(hi)); }
  else { memory.copy(KEY + 12, lo, <usize>alen); memory.copy(KEY + 28, hi, <usize>alen); }
  keyH = keyHash();
}

function keyHash(): u32 {
  let h: u32 = 0x9e3779b9;
  for (let i = 0; i < KEY_WORDS; i++) {
    h ^= load<u32>(KEY + <usize>(i << 2));
    h = rotl<u32>(h * 0x85ebca6b, 13) * 0xc2b2ae35;
  }
  h ^= h >> 16;
  return h;
}

@inline function keyEq(f: i32): bool {
  const k = KEYS + <usize>(f * KEY_BYTES);
  const d = v128.or(v128.or(v128.xor(v128.load(k), v128.load(KEY)), v128.xor(v128.load(k, 16), v128.load(KEY, 16))), v128.xor(v128.load(k, 32), v128.load(KEY, 32)));
  return !v128.any_true(d);
}

// The list flow f is on: its part's list of its state.
@inline function listOf(f: i32): i32 { return partOf(f) * STATES + <i32>unchecked(states[f]); }

function lruUnlink(f: i32): void {
  const l = listOf(f);
  const p = unchecked(prev[f]), n = unchecked(next[f]);
  if (p >= 0) unchecked(next[p] = n); else unchecked(lruHead[l] = n);
  if (n >= 0) unchecked(prev[n] = p); else unchecked(lruTail[l] = p);
}

function lruAppend(f: i32): void {
  const l = listOf(f);
  const t = unchecked(lruTail[l]);
  unchecked(prev[f] = t); unchecked(next[f] = -1);
  if (t >= 0) unchecked(next[t] = f); else unchecked(lruHead[l] = f);
  unchecked(lruTail[l] = f);
}

/** The part of the key built by makeKey(). */
export function keyPart(): i32 { return partOfHash(keyH); }

/** Finds the flow of the key built by makeKey(), or -1. */
export function find(): i32 {
  const h = keyH;
  let s = <i32>(h & <u32>(SLOTS - 1));
  while (true) {
    const v = unchecked(slots[s]);
    if (v == 0) return -1;
    const f = v - 1;
    if (unchecked(hashOf[f]) == h && keyEq(f)) return f;
    s = (s + 1) & (SLOTS - 1);
  }
}

/** Marks flow f as seen at time t (moves it to the most recent end of its list). */
export function touch(f: i32, t: i64): void {
  unchecked(lastSeen[f] = t);
  if (unchecked(lruTail[listOf(f)]) != f) { lruUnlink(f); lruAppend(f); }
}

/** The state of flow f. */
@inline export function stateOf(f: i32): State { return <State>unchecked(states[f]); }

/** Moves flow f to state s (the most recent end of that state's list). */
export function setState(f: i32, s: State): void {
  if (<State>unchecked(states[f]) == s) return;
  lruUnlink(f);
  unchecked(states[f] = <u8>s);
  lruAppend(f);
}

/** The least recently seen flow of part p in state s, or -1. */
export function oldest(p: i32, s: State): i32 { return unchecked(lruHead[p * STATES + <i32>s]); }

/** The connection of part p to make room with when it is full: its oldest tombstone, else its oldest ended one, else its oldest live one (-1 when empty). */
export function victim(p: i32): i32 {
  let f = oldest(p, State.GONE);
  if (f < 0) f = oldest(p, State.ENDED);
  if (f < 0) f = oldest(p, State.LIVE);
  return f;
}

/** Removes flow f from the table (its index becomes free). */
export function remove(f: i32): void {
  if (!unchecked(inUse[f])) return;
  // Backward-shift deletion keeps every remaining key reachable from its home slot.
  let i = unchecked(slotOf[f]);
  unchecked(slots[i] = 0);
  let j = i;
  while (true) {
    j = (j + 1) & (SLOTS - 1);
    const v = unchecked(slots[j]);
    if (v == 0) break;
    const home = <i32>(unchecked(hashOf[v - 1]) & <u32>(SLOTS - 1));
    // Move v back to i unless its home lies cyclically in (i, j].
    const between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!between) { unchecked(slots[i] = v); unchecked(slotOf[v - 1] = i); unchecked(slots[j] = 0); i = j; }
  }
  lruUnlink(f);
  unchecked(inUse[f] = false);
  const part = partOf(f);
  const top = unchecked(freeTop[part]);
  unchecked(freeList[part * PART_FLOWS + top] = f); unchecked(freeTop[part] = top + 1);
  flowCount--;
}

/** Inserts the key built by makeKey() (which must not be present) into part p; returns the new flow, or -1 when the part is full. */
export function insert(t: i64, p: i32): i32 {
  const top = unchecked(freeTop[p]);
  if (top == 0) return -1;
  unchecked(freeTop[p] = top - 1);
  const f = unchecked(freeList[p * PART_FLOWS + top - 1]);
  const h = keyH;
  memory.copy(KEYS + <usize>(f * KEY_BYTES), KEY, <usize>KEY_BYTES);
  unchecked(hashOf[f] = h);
  let s = <i32>(h & <u32>(SLOTS - 1));
  while (unchecked(slots[s]) != 0) s = (s + 1) & (SLOTS - 1);
  unchecked(slots[s] = f + 1);
  unchecked(slotOf[f] = s);
  unchecked(inUse[f] = true);
  unchecked(lastSeen[f] = t);
  unchecked(states[f] = <u8>State.LIVE);
  lruAppend(f);
  flowCount++;
  return f;
}

/** Whether part p has no free entry. */
export function full(p: i32): bool { return unchecked(freeTop[p]) == 0; }

/** Port of endpoint A (0) or B (1) of flow f. */
export function portOf(f: i32, side: i32): u32 { return <u32>load<u16>(KEYS + <usize>(f * KEY_BYTES + 6 + side * 2)); }
