// Bounded IPv4 and IPv6 reassembly: RFC 791 §3.2 with RFC 815's hole bookkeeping, RFC 8200 §4.5
// with RFC 5722's overlap rule. The packet pipeline hands every fragment to fragAdd() in capture
// order; capture time is the only clock, so the same fragments give the same results.
//
// A datagram is keyed by (scope, IP version, source, destination, identification, and for IPv4
// the protocol): RFC 791 §3.2 reassembles by source, destination, protocol and identification;
// RFC 8200 §4.5 by source, destination and identification only — the next header of the
// Fragment header may differ between fragments, and only the offset-zero fragment's counts, so
// it is not part of an IPv6 key (fragProto() gives the offset-zero one's). `scope` is the
// caller's: fragments seen in different tunnels or on different interfaces never meet.
//
// Every byte is allocated once, at module start. The table holds FRAG_DATAGRAMS datagrams (open
// addressing, linear probing, backward-shift deletion as in flow/table.ts, at most half full so
// a probe always ends). Received bytes sit in a pool of FRAG_CHUNK_BYTES chunks: each datagram
// has a page table mapping each chunk-sized slice of its 64 KiB offset space to a chunk, taken
// when the first byte of that slice arrives, so no held datagram needs a contiguous 64 KiB
// block and a tiny fragment costs one chunk, not a slot sized for the largest. The byte ranges
// held are kept per datagram as at most FRAG_HOLES sorted, disjoint, non-adjacent ranges
// (RFC 815's holes are the gaps between them), so each fragment costs O(FRAG_HOLES) besides
// its copy. A complete datagram is copied into one contiguous scratch, valid until the next
// fragAdd().
//
// A limit bounds what is in flight at once, never the total over time: a fragment that needs a
// datagram when the table is full evicts the oldest one (discarded IPv6 datagrams' tombstones
// first: they hold no bytes), and one that needs chunks when the pool is empty evicts the
// oldest datagrams holding some; NO_ROOM only when even that cannot make room. So a flood of
// unfinished fragments ages out in FRAG_DATAGRAMS new datagrams and never stops the
// reassembly of later ones.
//
// Overlaps (RFC 1858 §3.2's attack): IPv6 discards the whole datagram and, until its timeout,
// every later fragment of it (RFC 5722 §4; RFC 8200 §4.5), but a fragment whose bytes are all
// held already with the same values is an exact duplicate and is dropped alone (RFC 8200 §4.5
// allows this). IPv4 keeps what it received first: the new fragment's overlapping bytes are
// ignored, the rest kept (fragOverlap() says whether the ignored bytes differed).
//
// A datagram dropped because of one of its fragments (overlap, size, too many ranges, no room)
// stays, for IPv6, as a tombstone until its timeout, so its remaining fragments are DISCARDED
// instead of holding bytes for a datagram that cannot complete. IPv4 keeps no tombstones: its
// 16-bit identification recurs within the timeout on a busy path (RFC 4963), and a
// tombstone would swallow a new datagram's fragments.

import {
  FRAG_DATAGRAMS, FRAG_DATAGRAM_BYTES, FRAG_BYTES_TOTAL, FRAG_CHUNK_BYTES, FRAG_TIMEOUT_NS, FRAG_HOLES,
} from "../config";

/** What fragAdd() did with a fragment. */
export const enum FragResult {
  /** Kept; its datagram is not complete yet. */
  PENDING = 0,
  /** Kept, and its datagram is complete: fragDatagram() / fragDatagramLen() until the next fragAdd(). */
  COMPLETE = 1,
  /** Every byte of it is held already with the same value: ignored, its datagram unaffected (RFC 8200 §4.5). */
  DUPLICATE = 2,
  /** IPv4: it overlaps bytes held already, which stay (first wins); its other bytes are kept; the datagram is not complete yet. */
  OVERLAP_KEPT = 3,
  /** IPv6: it overlaps bytes held, or contradicts the datagram's end: the datagram is discarded, and its later fragments until the timeout (RFC 5722 §4). */
  OVERLAP = 4,
  /** IPv6: its datagram was discarded earlier (see the file comment); dropped until the datagram's timeout. */
  DISCARDED = 5,
  /** It ends past the per-datagram limit (fragLimit, FRAG_DATAGRAM_BYTES): its datagram is dropped. */
  TOO_LARGE = 6,
  /** Its datagram would be held in more than FRAG_HOLES separate ranges: the datagram is dropped. */
  TOO_FRAGMENTED = 7,
  /** The pool cannot hold it even after evicting every other datagram: not kept, its datagram dropped. */
  NO_ROOM = 8,
  /** Invalid alone (RFC 8200 §4.5, RFC 791 §3.2), or IPv4 and contradicting its datagram's end: ignored, the datagram unaffected. */
  BAD = 9,
}

/** What fragCount() counts: datagrams (COMPLETED … NO_ROOM, ATOMIC) and fragments (DUPLICATE … DISCARDED). */
export const enum FragCount {
  /** Datagrams reassembled from two or more fragments. */
  COMPLETED = 0,
  /** Datagrams abandoned FRAG_TIMEOUT_NS after their first fragment. */
  TIMED_OUT = 1,
  /** IPv6 datagrams discarded for an overlap or a contradicting end (RFC 5722 §4). */
  OVERLAP = 2,
  /** Datagrams dropped for size. */
  TOO_LARGE = 3,
  /** Datagrams dropped for more than FRAG_HOLES separate ranges. */
  TOO_FRAGMENTED = 4,
  /** Datagrams evicted, incomplete, to make room (the table or the byte pool was full). */
  EVICTED = 5,
  /** Datagrams dropped because the pool could not hold a fragment even after evicting. */
  NO_ROOM = 6,
  /** Fragments that were whole datagrams (offset 0, no more fragments; RFC 6946 §4), returned alone. */
  ATOMIC = 7,
  /** Fragments ignored as exact duplicates. */
  DUPLICATE = 8,
  /** IPv4 fragments overlapping bytes held (first wins). */
  OVERLAP_KEPT = 9,
  /** Fragments ignored as invalid. */
  BAD = 10,
  /** Fragments of discarded IPv6 datagrams ignored. */
  DISCARDED = 11,
}
const COUNT_KINDS: i32 = 12;

// ---- storage, all allocated here, once ---------------------------------------------------

const N: i32 = FRAG_DATAGRAMS;
// Hash slots: twice the datagrams, so the table is at most half full and every probe ends.
const SLOTS: i32 = FRAG_DATAGRAMS * 2;
const CHUNK: i32 = FRAG_CHUNK_BYTES;
// Chunk-sized slices of a datagram's offset space.
const PAGES: i32 = (FRAG_DATAGRAM_BYTES + FRAG_CHUNK_BYTES - 1) / FRAG_CHUNK_BYTES;
const CHUNKS: i32 = FRAG_BYTES_TOTAL / FRAG_CHUNK_BYTES;
// The largest offset + length a fragment can have: 16-bit length fields (RFC 791 §3.1, RFC 8200 §4.5).
const IP_MAX: i32 = 65535;

// scope u32 at 0, version u8 at 4, protocol u8 at 5 (IPv4 only), identification u32 at 8,
// source at 16, destination at 32 (IPv4: the first 4 bytes of each); the rest stays zero.
const KEY_BYTES: i32 = 48;
const KEY_WORDS: i32 = 12;

// Datagram states; LIVE and DEAD are also the indices of their age-ordered lists.
const LIVE: u8 = 0;
const DEAD: u8 = 1;
const FREE: u8 = 2;

// The byte pool and the datagram scratch are taken at the first fragment, once: a capture
// without fragments does not carry them (they would double an instance's initial memory).
let POOL: usize = 0;
let SCRATCH: usize = 0;
const KEYS: usize = heap.alloc(<usize>(N * KEY_BYTES));
const KEY: usize = heap.alloc(<usize>KEY_BYTES);
const slots = new StaticArray<i32>(SLOTS);         // datagram + 1, 0 = empty
const slotOf = new StaticArray<i32>(N);
const hashOf = new StaticArray<u32>(N);
const state = new StaticArray<u8>(N);
const gen = new StaticArray<u32>(N);
const firstNs = new StaticArray<i64>(N);
const prev = new StaticArray<i32>(N);
const next = new StaticArray<i32>(N);
const totalOf = new StaticArray<i32>(N);           // end of the last fragment, -1 until it came
const protoOf = new StaticArray<i32>(N);           // -1 until known (IPv6: the offset-zero fragment)
const nRanges = new StaticArray<i32>(N);
const nFrags = new StaticArray<i32>(N);
const nChunks = new StaticArray<i32>(N);
const rStart = new StaticArray<i32>(N * FRAG_HOLES);
const rEnd = new StaticArray<i32>(N * FRAG_HOLES);
const pages = new StaticArray<i32>(N * PAGES);     // chunk index, -1 = none
const freeChunk = new StaticArray<i32>(CHUNKS);
const freeDg = new StaticArray<i32>(N);
const listHead = new StaticArray<i32>(2);
const listTail = new StaticArray<i32>(2);
const counts = new StaticArray<u64>(COUNT_KINDS);
let chunkTop: i32 = 0;
let dgTop: i32 = 0;
let nLive: i32 = 0;
let nDead: i32 = 0;

// Limits in force (fragLimit lowers them).
let capDatagrams: i32 = N;
let capBytes: i32 = FRAG_DATAGRAM_BYTES;
let capChunks: i32 = CHUNKS;

// What the last fragAdd() found, for the caller's record of that fragment.
let outLen: i32 = 0;
let outProto: i32 = -1;
let outIdx: i32 = -1;
let outGen: u32 = 0;
let outFrags: i32 = 0;
let outOverlap: i32 = 0;

// ---- the key and the hash table ----------------------------------------------------------

function makeKey(scope: u32, v6: bool, src: usize, dst: usize, id: u32, proto: u32): u32 {
  const zero = i64x2.splat(0);
  v128.store(KEY, zero); v128.store(KEY + 16, zero); v128.store(KEY + 32, zero);
  store<u32>(KEY, scope);
  store<u8>(KEY + 4, v6 ? 6 : 4);
  if (v6) {
    store<u32>(KEY + 8, id);
    v128.store(KEY + 16, v128.load(src)); v128.store(KEY + 32, v128.load(dst));
  } else {
    store<u8>(KEY + 5, <u8>proto);
    store<u32>(KEY + 8, id & 0xffff);
    store<u32>(KEY + 16, load<u32>(src)); store<u32>(KEY + 32, load<u32>(dst));
  }
  let h: u32 = 0x9e3779b9;
  for (let i = 0; i < KEY_WORDS; i++) {
    h ^= load<u32>(KEY + <usize>(i << 2));
    h = rotl<u32>(h * 0x85ebca6b, 13) * 0xc2b2ae35;
  }
  return h ^ (h >> 16);
}

@inline function keyEq(d: i32): bool {
  const k = KEYS + <usize>(d * KEY_BYTES);
  const x = v128.or(v128.or(v128.xor(v128.load(k), v128.load(KEY)), v128.xor(v128.load(k, 16), v128.load(KEY, 16))), v128.xor(v128.load(k, 32), v128.load(KEY, 32)));
  return !v128.any_true(x);
}

@inline function home(h: u32): i32 { return <i32>(h % <u32>SLOTS); }

// The datagram of the key just made, or -1.
function find(h: u32): i32 {
  let s = home(h);
  while (true) {
    const v = unchecked(slots[s]);
    if (v == 0) return -1;
    const d = v - 1;
    if (unchecked(hashOf[d]) == h && keyEq(d)) return d;
    s = s + 1 == SLOTS ? 0 : s + 1;
  }
}

function unhash(d: i32): void {
  // Backward-shift deletion (Knuth 6.4, Algorithm R) keeps every key reachable from its home.
  let i = unchecked(slotOf[d]);
  unchecked(slots[i] = 0);
  let j = i;
  while (true) {
    j = j + 1 == SLOTS ? 0 : j + 1;
    const v = unchecked(slots[j]);
    if (v == 0) break;
    const hm = home(unchecked(hashOf[v - 1]));
    const between = i <= j ? (hm > i && hm <= j) : (hm > i || hm <= j);
    if (!between) { unchecked(slots[i] = v); unchecked(slotOf[v - 1] = i); unchecked(slots[j] = 0); i = j; }
  }
}

// ---- age-ordered lists (oldest first) ----------------------------------------------------

function unlink(d: i32): void {
  const l = <i32>unchecked(state[d]);
  const p = unchecked(prev[d]), n = unchecked(next[d]);
  if (p >= 0) unchecked(next[p] = n); else unchecked(listHead[l] = n);
  if (n >= 0) unchecked(prev[n] = p); else unchecked(listTail[l] = p);
}

function append(d: i32): void {
  const l = <i32>unchecked(state[d]);
  const t = unchecked(listTail[l]);
  unchecked(prev[d] = t); unchecked(next[d] = -1);
  if (t >= 0) unchecked(next[t] = d); else unchecked(listHead[l] = d);
  unchecked(listTail[l] = d);
}

// ---- datagram lifecycle ------------------------------------------------------------------

function freeChunks(d: i32): void {
  if (unchecked(nChunks[d]) == 0) return;
  const base = d * PAGES;
  for (let p = 0; p < PAGES; p++) {
    const c = unchecked(pages[base + p]);
    if (c >= 0) { unchecked(freeChunk[chunkTop++] = c); unchecked(pages[base + p] = -1); }
  }
  unchecked(nChunks[d] = 0);
}

// Forgets datagram d entirely: its bytes, its key, its slot.
function release(d: i32): void {
  freeChunks(d);
  unhash(d);
  unlink(d);
  if (unchecked(state[d]) == LIVE) nLive--; else nDead--;
  unchecked(state[d] = FREE);
  unchecked(freeDg[dgTop++] = d);
}

// Drops live datagram d because of one of its fragments: IPv6 keeps a tombstone (file comment).
function kill(d: i32, v6: bool): void {
  if (!v6) { release(d); return; }
  freeChunks(d);
  unlink(d);
  unchecked(state[d] = DEAD);
  append(d);
  nLive--; nDead++;
}

// A new live datagram for the key just made (hash h), evicting the oldest when the table is full.
function take(h: u32, t: i64): i32 {
  if (dgTop == 0) {
    let v = unchecked(listHead[DEAD]);
    if (v < 0) { v = unchecked(listHead[LIVE]); unchecked(counts[FragCount.EVICTED]++); }
    release(v);
  }
  const d = unchecked(freeDg[--dgTop]);
  unchecked(gen[d] = unchecked(gen[d]) + 1);
  memory.copy(KEYS + <usize>(d * KEY_BYTES), KEY, <usize>KEY_BYTES);
  unchecked(hashOf[d] = h);
  let s = home(h);
  while (unchecked(slots[s]) != 0) s = s + 1 == SLOTS ? 0 : s + 1;
  unchecked(slots[s] = d + 1);
  unchecked(slotOf[d] = s);
  unchecked(state[d] = LIVE);
  append(d);
  nLive++;
  unchecked(firstNs[d] = t);
  unchecked(totalOf[d] = -1);
  unchecked(protoOf[d] = -1);
  unchecked(nRanges[d] = 0);
  unchecked(nFrags[d] = 0);
  return d;
}

@inline function expired(d: i32, t: i64): bool { return t - unchecked(firstNs[d]) >= FRAG_TIMEOUT_NS; }

// ---- bytes -------------------------------------------------------------------------------

// Copies n bytes from src to offset `at` of datagram d, taking chunks as slices are first reached.
function put(d: i32, at: i32, src: usize, n: i32): void {
  while (n > 0) {
    const p = at / CHUNK, o = at - p * CHUNK;
    const c = n < CHUNK - o ? n : CHUNK - o;
    const pi = d * PAGES + p;
    let k = unchecked(pages[pi]);
    if (k < 0) { k = unchecked(freeChunk[--chunkTop]); unchecked(pages[pi] = k); unchecked(nChunks[d] = unchecked(nChunks[d]) + 1); }
    memory.copy(POOL + <usize>(k * CHUNK + o), src, <usize>c);
    at += c; src += <usize>c; n -= c;
  }
}

// Whether the n bytes at src equal those held at offset `at` of datagram d (all of them held).
function same(d: i32, at: i32, src: usize, n: i32): bool {
  while (n > 0) {
    const p = at / CHUNK, o = at - p * CHUNK;
    const c = n < CHUNK - o ? n : CHUNK - o;
    const k = unchecked(pages[d * PAGES + p]);
    if (memory.compare(POOL + <usize>(k * CHUNK + o), src, <usize>c) != 0) return false;
    at += c; src += <usize>c; n -= c;
  }
  return true;
}

// Copies datagram d's bytes [0, len) into the scratch.
function assemble(d: i32, len: i32): void {
  for (let p = 0; p * CHUNK < len; p++) {
    const k = unchecked(pages[d * PAGES + p]);
    const c = len - p * CHUNK < CHUNK ? len - p * CHUNK : CHUNK;
    memory.copy(SCRATCH + <usize>(p * CHUNK), POOL + <usize>(k * CHUNK), <usize>c);
  }
}

// ---- results -----------------------------------------------------------------------------

@inline function counted(k: FragCount, r: FragResult): FragResult { unchecked(counts[<i32>k]++); return r; }

function note(d: i32): void { outIdx = d; outGen = unchecked(gen[d]); outFrags = unchecked(nFrags[d]); }

// ---- the interface -----------------------------------------------------------------------

/**
 * Adds one fragment (see FragResult). v6 picks the address length (4 or 16 bytes at src, dst);
 * id is the identification (IPv4: its 16 bits; IPv6: 32); proto is the IPv4 protocol, or for
 * IPv6 the Fragment header's next header (not part of the key: RFC 8200 §4.5); offsetBytes is
 * the fragment offset in bytes (the field × 8), more the M / MF flag, [data, data + len) the
 * fragment's bytes after its IP header(s) and Fragment header; timeNs its capture time.
 */
export function fragAdd(scope: u32, v6: bool, src: usize, dst: usize, id: u32, proto: u32, offsetBytes: u32, more: bool, data: usize, len: i32, timeNs: i64): FragResult {
  if (POOL == 0) { POOL = heap.alloc(<usize>FRAG_BYTES_TOTAL); SCRATCH = heap.alloc(<usize>(FRAG_DATAGRAM_BYTES + 16)); }
  outLen = 0; outProto = -1; outIdx = -1; outGen = 0; outFrags = 0; outOverlap = 0;
  fragExpire(timeNs);

  // The fragment alone. Offsets come in 8-byte units, and every fragment but the last carries a
  // multiple of 8 bytes (RFC 791 §3.2; RFC 8200 §4.5 says to discard one that does not); nothing
  // may end past 65535 (RFC 8200 §4.5 discards such a fragment; an IPv4 total length cannot
  // reach it either). An empty fragment carries nothing to reassemble.
  if (len < 0 || (offsetBytes & 7) != 0 || offsetBytes > <u32>IP_MAX) return counted(FragCount.BAD, FragResult.BAD);
  const off = <i32>offsetBytes;
  if (<i64>off + <i64>len > <i64>IP_MAX) return counted(FragCount.BAD, FragResult.BAD);
  const end = off + len;
  if (more && ((len & 7) != 0 || len == 0)) return counted(FragCount.BAD, FragResult.BAD);

  // Offset 0 and no more fragments: a whole datagram, returned alone, without touching one in
  // progress under the same key (RFC 6946 §4 for IPv6's atomic fragments).
  if (!more && off == 0) {
    if (len > capBytes) return counted(FragCount.TOO_LARGE, FragResult.TOO_LARGE);
    memory.copy(SCRATCH, data, <usize>len);
    outLen = len; outProto = <i32>(proto & 0xff); outFrags = 1;
    return counted(FragCount.ATOMIC, FragResult.COMPLETE);
  }
  if (len == 0) return counted(FragCount.BAD, FragResult.BAD);

  const h = makeKey(scope, v6, src, dst, id, proto);
  let d = find(h);
  // A datagram past its timeout is gone even when fragExpire() has not reached it yet (capture
  // time may step back, so the lists are only roughly in time order): this fragment starts anew.
  if (d >= 0 && expired(d, timeNs)) {
    if (unchecked(state[d]) == LIVE) unchecked(counts[FragCount.TIMED_OUT]++);
    release(d);
    d = -1;
  }
  if (d >= 0 && unchecked(state[d]) == DEAD) { note(d); return counted(FragCount.DISCARDED, FragResult.DISCARDED); }

  if (end > capBytes) {
    // IPv6 keeps a tombstone even for a datagram this fragment would have started.
    if (d < 0 && v6) d = take(h, timeNs);
    if (d >= 0) { note(d); kill(d, v6); }
    return counted(FragCount.TOO_LARGE, FragResult.TOO_LARGE);
  }
  if (d < 0) d = take(h, timeNs);
  note(d);

  // Where the fragment lies among the ranges held: [lo, hi] are those it overlaps or touches,
  // `at` where it goes when it touches none, `covered` the bytes of it held already.
  const base = d * FRAG_HOLES;
  const n = unchecked(nRanges[d]);
  let lo = -1, hi = -1, at = n, covered = 0;
  for (let i = 0; i < n; i++) {
    const s = unchecked(rStart[base + i]), e = unchecked(rEnd[base + i]);
    if (e < off) continue;
    if (s > end) { at = i; break; }
    if (lo < 0) lo = i;
    hi = i;
    const a = s > off ? s : off, b = e < end ? e : end;
    if (b > a) covered += b - a;
  }
  if (lo >= 0) at = lo;

  // A fragment must agree with the datagram's end, once the last fragment set it. IPv6 treats a
  // contradiction as an overlap (RFC 5722 §4); IPv4 keeps what came first.
  const total = unchecked(totalOf[d]);
  const maxEnd = n > 0 ? unchecked(rEnd[base + n - 1]) : 0;
  const contradicts = more ? total >= 0 && end > total : (total >= 0 ? end != total : maxEnd > end);
  if (contradicts) {
    if (v6) { kill(d, true); return counted(FragCount.OVERLAP, FragResult.OVERLAP); }
    return counted(FragCount.BAD, FragResult.BAD);
  }

  if (covered > 0) {
    let differs = false;
    for (let i = lo; i <= hi; i++) {
      const s = unchecked(rStart[base + i]), e = unchecked(rEnd[base + i]);
      const a = s > off ? s : off, b = e < end ? e : end;
      if (b > a && !same(d, a, data + <usize>(a - off), b - a)) { differs = true; break; }
    }
    if (covered == len && !differs) return counted(FragCount.DUPLICATE, FragResult.DUPLICATE);
    if (v6) { kill(d, true); return counted(FragCount.OVERLAP, FragResult.OVERLAP); }
    outOverlap = differs ? 2 : 1;
    // Nothing of it is new: first wins, the datagram is as it was.
    if (covered == len) return counted(FragCount.OVERLAP_KEPT, FragResult.OVERLAP_KEPT);
  }

  // The ranges it touches become one: one range more at most, none when it bridges two.
  const merged = lo >= 0 ? hi - lo + 1 : 0;
  if (n - merged + 1 > FRAG_HOLES) { kill(d, v6); return counted(FragCount.TOO_FRAGMENTED, FragResult.TOO_FRAGMENTED); }

  // Chunks for the slices it reaches first. A slice with no chunk holds no byte yet, so all of
  // this fragment's bytes there are new and it needs the chunk.
  let needed = 0;
  for (let p = off / CHUNK; p <= (end - 1) / CHUNK; p++) if (unchecked(pages[d * PAGES + p]) < 0) needed++;
  if (needed > chunkTop) {
    // Evicting helps only when the pool without d's own chunks can hold the rest.
    if (needed <= capChunks - unchecked(nChunks[d])) {
      while (needed > chunkTop) {
        let v = unchecked(listHead[LIVE]);
        if (v == d) v = unchecked(next[v]);
        unchecked(counts[FragCount.EVICTED]++);
        release(v);
      }
    } else {
      kill(d, v6);
      return counted(FragCount.NO_ROOM, FragResult.NO_ROOM);
    }
  }

  // Copy the bytes not held yet: the gaps between the ranges it touches (first wins).
  let cur = off;
  for (let i = lo; i >= 0 && i <= hi; i++) {
    const s = unchecked(rStart[base + i]), e = unchecked(rEnd[base + i]);
    if (s > cur) put(d, cur, data + <usize>(cur - off), s - cur);
    if (e > cur) cur = e;
  }
  if (cur < end) put(d, cur, data + <usize>(cur - off), end - cur);

  if (merged == 0) {
    for (let i = n; i > at; i--) { unchecked(rStart[base + i] = unchecked(rStart[base + i - 1])); unchecked(rEnd[base + i] = unchecked(rEnd[base + i - 1])); }
    unchecked(rStart[base + at] = off); unchecked(rEnd[base + at] = end);
  } else {
    const s = unchecked(rStart[base + lo]), e = unchecked(rEnd[base + hi]);
    unchecked(rStart[base + lo] = s < off ? s : off); unchecked(rEnd[base + lo] = e > end ? e : end);
    const gone = merged - 1;
    if (gone > 0) for (let i = hi + 1; i < n; i++) { unchecked(rStart[base + i - gone] = unchecked(rStart[base + i])); unchecked(rEnd[base + i - gone] = unchecked(rEnd[base + i])); }
  }
  const ranges = n - merged + 1;
  unchecked(nRanges[d] = ranges);
  unchecked(nFrags[d] = unchecked(nFrags[d]) + 1);
  outFrags = unchecked(nFrags[d]);
  if (!more) unchecked(totalOf[d] = end);
  // IPv6 takes the next header of the offset-zero fragment (RFC 8200 §4.5); IPv4's is in the key.
  if (!v6 || off == 0) unchecked(protoOf[d] = <i32>(proto & 0xff));
  if (outOverlap != 0) unchecked(counts[FragCount.OVERLAP_KEPT]++);

  const t = unchecked(totalOf[d]);
  if (t >= 0 && ranges == 1 && unchecked(rStart[base]) == 0 && unchecked(rEnd[base]) == t) {
    assemble(d, t);
    outLen = t; outProto = unchecked(protoOf[d]);
    release(d);
    return counted(FragCount.COMPLETED, FragResult.COMPLETE);
  }
  return outOverlap != 0 ? FragResult.OVERLAP_KEPT : FragResult.PENDING;
}

/** Abandons the datagrams whose first fragment is FRAG_TIMEOUT_NS or more before timeNs (capture time; fragAdd calls it too); returns how many. */
export function fragExpire(timeNs: i64): i32 {
  let n = 0;
  for (let l: u8 = LIVE; l <= DEAD; l++) {
    while (true) {
      const d = unchecked(listHead[<i32>l]);
      if (d < 0 || !expired(d, timeNs)) break;
      if (l == LIVE) unchecked(counts[FragCount.TIMED_OUT]++);
      release(d);
      n++;
    }
  }
  return n;
}

/** Forgets every datagram (a new capture); counters and generations restart, so a capture gives the same results after a reset as in a new instance. */
export function fragReset(): void {
  for (let i = 0; i < SLOTS; i++) unchecked(slots[i] = 0);
  for (let i = 0; i < N * PAGES; i++) unchecked(pages[i] = -1);
  for (let i = 0; i < N; i++) { unchecked(state[i] = FREE); unchecked(gen[i] = 0); unchecked(nChunks[i] = 0); }
  dgTop = 0;
  for (let i = capDatagrams - 1; i >= 0; i--) unchecked(freeDg[dgTop++] = i);
  chunkTop = 0;
  for (let i = capChunks - 1; i >= 0; i--) unchecked(freeChunk[chunkTop++] = i);
  for (let l = 0; l < 2; l++) { unchecked(listHead[l] = -1); unchecked(listTail[l] = -1); }
  for (let i = 0; i < COUNT_KINDS; i++) unchecked(counts[i] = 0);
  nLive = 0; nDead = 0;
  outLen = 0; outProto = -1; outIdx = -1; outGen = 0; outFrags = 0; outOverlap = 0;
}

/**
 * Lowers the limits below config.ts's for a host with less to spare, or a test: datagrams held
 * at once, bytes per datagram, bytes of the pool (each 0 or above the compiled limit: that
 * limit; the pool is rounded down to whole chunks). Resets, as fragReset().
 */
export function fragLimit(datagrams: i32, datagramBytes: i32, poolBytes: i32): void {
  capDatagrams = datagrams > 0 && datagrams < N ? datagrams : N;
  capBytes = datagramBytes > 0 && datagramBytes < FRAG_DATAGRAM_BYTES ? datagramBytes : FRAG_DATAGRAM_BYTES;
  capChunks = poolBytes > 0 && poolBytes / CHUNK < CHUNKS ? poolBytes / CHUNK : CHUNKS;
  fragReset();
}

/** The reassembled datagram after COMPLETE (the bytes after the IP header(s); IPv6: the Fragmentable Part), valid until the next fragAdd(). */
export function fragDatagram(): usize { return SCRATCH; }

/** Length of that datagram (0 unless the last fragAdd() returned COMPLETE). */
export function fragDatagramLen(): i32 { return outLen; }

/** Protocol of that datagram: IPv4's, or the next header of IPv6's offset-zero fragment (RFC 8200 §4.5); -1 unless COMPLETE. */
export function fragProto(): i32 { return outProto; }

/** Slot of the datagram the last fragment belongs to, stable while it is held (with fragGen() it names it for good); -1 when none (BAD alone, an atomic fragment, IPv4 TOO_LARGE before any other). */
export function fragIndex(): i32 { return outIdx; }

/** Generation of that slot: changes each time the slot starts a new datagram. */
export function fragGen(): u32 { return outGen; }

/** Fragments the last fragment's datagram holds, that one included when kept (after COMPLETE: the fragments it was made of). */
export function fragCountHeld(): i32 { return outFrags; }

/** Whether the last IPv4 fragment overlapped bytes held (OVERLAP_KEPT, or COMPLETE): 0 no, 1 with the same values, 2 with other values (the held ones kept). */
export function fragOverlap(): i32 { return outOverlap; }

/** Datagrams in progress (not counting IPv6 tombstones). */
export function fragInFlight(): i32 { return nLive; }

/** Tombstones of discarded IPv6 datagrams held until their timeout. */
export function fragTombstones(): i32 { return nDead; }

/** Bytes of the pool in use (whole chunks). */
export function fragBytesHeld(): i32 { return (capChunks - chunkTop) * CHUNK; }

/** A counter (FragCount) since the last reset. */
export function fragCount(kind: i32): u64 { return kind >= 0 && kind < COUNT_KINDS ? unchecked(counts[kind]) : 0; }

fragReset();
