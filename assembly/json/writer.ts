// NDJSON writer: UTF-8 bytes straight into one preallocated output window, no String or
// object per record. Escaping follows Go's encoding/json (reference §2.1): HTML-sensitive
// < > & and U+2028/U+2029 escaped, invalid UTF-8 replaced byte by byte with \ufffd
// (utf8.DecodeRune semantics), control bytes as \n \r \t \b \f or \u00xx.
//
// Contract: the translator renders a packet only when RECORD_RESERVE bytes are free, and every
// renderer writes a bounded amount (the largest record is bounded by 6 output bytes per
// captured byte plus DNS names, see config.ts), so writes need no per-call bounds check.

import { OUT_CAP, OUT_WINDOWS, DEC_CACHE_SLOTS, WRITE_SLACK } from "../config";
import { copy } from "../util/mem";

/** Start of the first output window. */
export const OUT_BASE: usize = heap.alloc(<usize>OUT_CAP + 64);
// A host that reads the output while the core renders on (one thread of a parallel run, over
// shared memory) asks for more windows (setWindows): each drain then hands over one window and
// rendering goes on in the next. Allocated only when asked for.
const bases = new StaticArray<usize>(OUT_WINDOWS);
/** Start of the window being rendered into. */
export let outBase: usize = OUT_BASE;
/** Write cursor (absolute address). */
export let pos: usize = OUT_BASE;
// One past the last usable byte of the current window.
let outEnd: usize = OUT_BASE + <usize>OUT_CAP;
/** Window being rendered into (0 ≤ window < windows). */
export let window: i32 = 0;
let windows: i32 = 1;

/** Uses n output windows, 1 ≤ n ≤ OUT_WINDOWS (before the first chunk). */
export function setWindows(n: i32): void {
  windows = n >= 1 && n <= OUT_WINDOWS ? n : 1;
  unchecked(bases[0] = OUT_BASE);
  for (let k = 1; k < windows; k++) if (unchecked(bases[k]) == 0) unchecked(bases[k] = heap.alloc(<usize>OUT_CAP + 64));
  window = 0; outBase = OUT_BASE; outEnd = OUT_BASE + <usize>OUT_CAP; pos = OUT_BASE;
}

/** Bytes written since the last drain. */
@inline export function outLen(): i32 { return <i32>(pos - outBase); }
/** Forget the drained output: with two windows, go on in the other one. */
@inline export function outReset(): void {
  if (windows > 1) { window = window + 1 == windows ? 0 : window + 1; outBase = unchecked(bases[window]); outEnd = outBase + <usize>OUT_CAP; }
  pos = outBase;
}
/** Free bytes left in the window. */
@inline export function outFree(): i32 { return <i32>(outEnd - pos); }
/** Roll the cursor back to a mark (discards a half-written value). */
@inline export function rollback(mark: usize): void { pos = mark; }

/**
 * Allocates a buffer the writer may render into (setPos): `bytes` plus WRITE_SLACK spare bytes,
 * which the writer's 16-byte stores may run into past the last byte written.
 */
export function renderBuffer(bytes: i32): usize { return heap.alloc(<usize>(bytes + WRITE_SLACK)); }

// ---- constant fragments -------------------------------------------------------------------
// A fragment is a u64: low 32 bits = address of its UTF-8 bytes, high 32 bits = length.
// Fragments are encoded once at start-up into a static arena.

let arena: usize = heap.alloc((64 << 10) + 16);
let arenaEnd: usize = arena + (64 << 10);

/** Encodes a constant string once (at module start) and returns it as a fragment. */
export function frag(s: string): u64 {
  const n = String.UTF8.byteLength(s);
  if (arena + <usize>n > arenaEnd) { arena = heap.alloc((64 << 10) + 16); arenaEnd = arena + (64 << 10); }
  const p = arena;
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, p);
  arena += <usize>n;
  return (<u64>n << 32) | <u64>p;
}

/** Copies n bytes at p into the fragment arena (at module start) and returns them as a fragment. */
export function fragBytes(p: usize, n: i32): u64 {
  if (arena + <usize>n > arenaEnd) { arena = heap.alloc((64 << 10) + 16); arenaEnd = arena + (64 << 10); }
  const q = arena;
  memory.copy(q, p, <usize>n);
  arena += <usize>n;
  return (<u64>n << 32) | <u64>q;
}

/** Writes a constant fragment. */
export function w(f: u64): void {
  const n = <usize>(f >>> 32);
  const src = <usize>(f & 0xffffffff);
  // Most fragments (keys) are at most 16 bytes: one 16-byte load and store, no branch on the
  // length. The bytes stored past the fragment land in free space that what follows overwrites
  // (every buffer the writer renders into keeps WRITE_SLACK spare bytes at its end; the arena
  // keeps 16 readable bytes after its last fragment).
  if (n <= 16) v128.store(pos, v128.load(src)); else copy(pos, src, n);
  pos += n;
}

/** w() inlined, for the renderers every packet runs (inlining every w() would outgrow the size budget). */
@inline export function wi(f: u64): void {
  const n = <usize>(f >>> 32);
  if (n <= 16) { v128.store(pos, v128.load(<usize>(f & 0xffffffff))); pos += n; } else w(f);
}

/** Writes one raw byte. */
@inline export function b(c: u32): void { store<u8>(pos, <u8>c); pos++; }

/** Writes len raw bytes from p (caller guarantees they need no escaping). */
@inline export function raw(p: usize, len: i32): void { copy(pos, p, <usize>len); pos += <usize>len; }

/** Writes a length-prefixed static name (byte 0 = length) as raw bytes. */
@inline export function lp(p: usize): void { const n = <usize>load<u8>(p); copy(pos, p + 1, n); pos += n; }

/** Writes a length-prefixed static name as a quoted JSON string (names need no escaping). */
@inline export function lpStr(p: usize): void { b(0x22); lp(p); b(0x22); }

// ---- numbers ------------------------------------------------------------------------------

// "00".."99" as pairs of ASCII digits, for two-at-a-time formatting.
const DIGITS: usize = initDigits();
function initDigits(): usize {
  const p = heap.alloc(200);
  for (let i = 0; i < 100; i++) {
    store<u8>(p + (<usize>i << 1), <u8>(0x30 + i / 10));
    store<u8>(p + (<usize>i << 1) + 1, <u8>(0x30 + i % 10));
  }
  return p;
}

/** Decimal digits of v. */
@inline function decLen32(v: u32): i32 {
  if (v < 100000) {
    if (v < 100) return v < 10 ? 1 : 2;
    return v < 1000 ? 3 : v < 10000 ? 4 : 5;
  }
  if (v < 10000000) return v < 1000000 ? 6 : 7;
  return v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
}

// v / 100 as a multiply and shift (exact for every u32): V8's baseline compiler, which runs
// most of a short capture, emits a real division for "/ 100".
@inline function div100(v: u32): u32 { return <u32>((<u64>v * 1374389535) >> 37); }

/** Writes v in decimal. */
export function u32dec(v: u32): void {
  if (v < 10) { store<u8>(pos, <u8>(0x30 + v)); pos++; return; }
  if (v < 100) { store<u16>(pos, load<u16>(DIGITS + (<usize>v << 1))); pos += 2; return; }
  const n = decLen32(v);
  let e = pos + <usize>n;
  pos = e;
  while (v >= 100) {
    const qt = div100(v);
    const r = v - qt * 100; v = qt;
    e -= 2; store<u16>(e, load<u16>(DIGITS + (<usize>r << 1)));
  }
  if (v >= 10) { e -= 2; store<u16>(e, load<u16>(DIGITS + (<usize>v << 1))); }
  else { e -= 1; store<u8>(e, <u8>(0x30 + v)); }
}

/** Writes v (unsigned 64-bit) in decimal. */
export function u64dec(v: u64): void {
  if (v <= 0xffffffff) { u32dec(<u32>v); return; }
  // Split into a high part and 9-digit low chunks so the loop runs on u32.
  const lo = <u32>(v % 1000000000); v /= 1000000000;
  if (v <= 0xffffffff) { u32dec(<u32>v); } else {
    const mid = <u32>(v % 1000000000); u32dec(<u32>(v / 1000000000)); pad9(mid);
  }
  pad9(lo);
}

// Decimal texts of 64-bit values through a TextCache: flow ids and endpoint hashes repeat for
// every packet of a connection and are the longest numbers of a record.
const DEC_CACHE = new TextCache(DEC_CACHE_SLOTS, 24);

/** Writes v in decimal like u64dec, through a small cache (worth it for values that repeat). */
export function u64decCached(v: u64): void {
  if (DEC_CACHE.emit(v, 0)) return;
  const start = pos;
  u64dec(v);
  DEC_CACHE.put(v, 0, start);
}

/**
 * A direct-mapped cache of short rendered texts keyed by two u64s that together determine the
 * text completely (parts of a record that repeat for every packet of a connection). Usage:
 * `if (!c.emit(k, a)) { const s = pos; render(); c.put(k, a, s); }`. Bounded: slots × slotBytes.
 */
export class TextCache {
  private keys: StaticArray<u64>;
  private auxs: StaticArray<u64>;
  private lens: StaticArray<i32>;
  private text: usize;
  private mask: u64;
  private slotBytes: i32;

  /** `slots` must be a power of two; texts longer than slotBytes are not cached. */
  constructor(slots: i32, slotBytes: i32) {
    this.keys = new StaticArray<u64>(slots);
    this.auxs = new StaticArray<u64>(slots);
    this.lens = new StaticArray<i32>(slots);
    this.text = heap.alloc(<usize>(slots * slotBytes));
    this.mask = <u64>(slots - 1);
    this.slotBytes = slotBytes;
  }

  @inline private slot(key: u64, aux: u64): i32 {
    const h = key ^ (aux * 0x9e3779b97f4a7c15);
    return <i32>((h ^ (h >> 23) ^ (h >> 41)) & this.mask);
  }

  /** Writes the text cached for (key, aux) and returns true; false when it is not cached. */
  emit(key: u64, aux: u64): bool {
    const i = this.slot(key, aux);
    const n = unchecked(this.lens[i]);
    if (n == 0 || unchecked(this.keys[i]) != key || unchecked(this.auxs[i]) != aux) return false;
    copy(pos, this.text + <usize>(i * this.slotBytes), <usize>n);
    pos += <usize>n;
    return true;
  }

  /** Caches the text written since `start` under (key, aux). */
  put(key: u64, aux: u64, start: usize): void {
    const n = <i32>(pos - start);
    if (n <= 0 || n > this.slotBytes) return;
    const i = this.slot(key, aux);
    copy(this.text + <usize>(i * this.slotBytes), start, <usize>n);
    unchecked(this.keys[i] = key); unchecked(this.auxs[i] = aux); unchecked(this.lens[i] = n);
  }

  /** Forgets every text (what they were made from changed). */
  clear(): void { for (let i = 0; i < this.lens.length; i++) unchecked(this.lens[i] = 0); }
}

/** Writes v as exactly 9 digits (zero padded). */
export function pad9(v: u32): void {
  let e = pos + 9;
  pos = e;
  for (let i = 0; i < 4; i++) { const qt = div100(v); const r = v - qt * 100; v = qt; e -= 2; store<u16>(e, load<u16>(DIGITS + (<usize>r << 1))); }
  e -= 1; store<u8>(e, <u8>(0x30 + v));
}

/** Writes a signed 64-bit integer in decimal. */
export function i64dec(v: i64): void {
  if (v < 0) { b(0x2d); u64dec(<u64>(-v)); } else u64dec(<u64>v);
}

/** Writes v as exactly 2 digits. */
@inline export function pad2(v: u32): void { store<u16>(pos, load<u16>(DIGITS + (<usize>v << 1))); pos += 2; }

/** Writes v as exactly 4 digits. */
@inline export function pad4(v: u32): void { pad2(v / 100); pad2(v % 100); }

const HEX: usize = initHex();
function initHex(): usize {
  const p = heap.alloc(16);
  for (let i = 0; i < 16; i++) store<u8>(p + i, <u8>(i < 10 ? 0x30 + i : 0x57 + i));
  return p;
}

const LOW_NIBBLE = i8x16.splat(0x0f);
const HEX_DIGITS = i8x16(0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66);

/** Lowercase hex digit for the low 4 bits of v. */
@inline export function hexDigit(v: u32): u32 { return <u32>load<u8>(HEX + <usize>(v & 15)); }

/** Writes v in lowercase hex without padding (Go strconv base 16). */
export function hex32(v: u32): void {
  if (v == 0) { b(0x30); return; }
  const n = (35 - clz<u32>(v)) >> 2;
  let e = pos + <usize>n;
  pos = e;
  while (v != 0) { e--; store<u8>(e, <u8>hexDigit(v)); v >>= 4; }
}

/** Writes the low 16 bits of v as 4 lowercase hex digits. */
export function hex4(v: u32): void { for (let s = 12; s >= 0; s -= 4) b(hexDigit(v >> <u32>s)); }

/** Writes v in binary without padding (Go strconv base 2). */
export function bin32(v: u32): void {
  if (v == 0) { b(0x30); return; }
  const n = 32 - clz<u32>(v);
  for (let i = n - 1; i >= 0; i--) b(0x30 + ((v >> <u32>i) & 1));
}

/** Writes len bytes at p as two lowercase hex digits each. */
export function hexBytes(p: usize, len: i32): void {
  let i = 0;
  // 8 bytes to 16 digits at a time: split nibbles, interleave them, look them up (SIMD).
  while (i + 8 <= len) {
    const v = v128.load64_zero(p + <usize>i);
    const nib = i8x16.shuffle(i8x16.shr_u(v, 4), v128.and(v, LOW_NIBBLE), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    v128.store(pos, i8x16.swizzle(HEX_DIGITS, nib));
    pos += 16; i += 8;
  }
  for (; i < len; i++) {
    const c = <u32>load<u8>(p + i);
    store<u8>(pos, <u8>hexDigit(c >> 4)); store<u8>(pos + 1, <u8>hexDigit(c)); pos += 2;
  }
}

// ---- strings ------------------------------------------------------------------------------

// Per-byte class for the string fast path: 0 = copy as is, 1 = needs an escape, 2 = non-ASCII.
const CLASS: usize = initClass();
function initClass(): usize {
  const p = heap.alloc(256);
  for (let i = 0; i < 256; i++) {
    let c: u8 = 0;
    if (i < 0x20 || i == 0x22 || i == 0x5c || i == 0x3c || i == 0x3e || i == 0x26) c = 1;
    else if (i >= 0x80) c = 2;
    store<u8>(p + i, c);
  }
  return p;
}

// Escape sequence of each ASCII byte that needs one: up to 6 bytes, its length in byte 7.
const ESC: usize = initEsc();
function initEsc(): usize {
  const t = heap.alloc(128 * 8);
  for (let c = 0; c < 128; c++) {
    const e = t + (<usize>c << 3);
    store<u8>(e, 0x5c);
    let n = 2;
    switch (c) {
      case 0x22: store<u8>(e + 1, 0x22); break;
      case 0x5c: store<u8>(e + 1, 0x5c); break;
      case 0x0a: store<u8>(e + 1, 0x6e); break;
      case 0x0d: store<u8>(e + 1, 0x72); break;
      case 0x09: store<u8>(e + 1, 0x74); break;
      case 0x08: store<u8>(e + 1, 0x62); break;
      case 0x0c: store<u8>(e + 1, 0x66); break;
      default:
        store<u8>(e + 1, 0x75); store<u8>(e + 2, 0x30); store<u8>(e + 3, 0x30);
        store<u8>(e + 4, <u8>hexDigit(c >> 4)); store<u8>(e + 5, <u8>hexDigit(c)); n = 6;
    }
    store<u8>(e + 7, <u8>n);
  }
  return t;
}

/** Writes the escape sequence of one ASCII byte that needs escaping (one 8-byte store). */
@inline function escByte(c: u32): void {
  const e = ESC + (<usize>c << 3);
  store<u64>(pos, load<u64>(e));
  pos += <usize>load<u8>(e + 7);
}

/** Writes the 6-byte escape \ufffd that replaces one invalid UTF-8 byte. */
@inline function badByte(): void {
  store<u32>(pos, 0x6666755c); // "\uff"
  store<u16>(pos + 4, 0x6466); // "fd"
  pos += 6;
}

/**
 * Length of the valid UTF-8 sequence starting at p (≤ end), or 0 if the byte at p does not
 * start one. Go's utf8.DecodeRune: no overlongs, no surrogates, nothing above U+10FFFF.
 */
function utf8Len(p: usize, end: usize): i32 {
  const c = <u32>load<u8>(p);
  const avail = <i32>(end - p);
  if (c < 0xc2) return 0;
  if (c < 0xe0) {
    if (avail < 2) return 0;
    const c1 = <u32>load<u8>(p + 1);
    return (c1 & 0xc0) == 0x80 ? 2 : 0;
  }
  if (c < 0xf0) {
    if (avail < 3) return 0;
    const c1 = <u32>load<u8>(p + 1), c2 = <u32>load<u8>(p + 2);
    let lo: u32 = 0x80, hi: u32 = 0xbf;
    if (c == 0xe0) lo = 0xa0; else if (c == 0xed) hi = 0x9f;
    if (c1 < lo || c1 > hi || (c2 & 0xc0) != 0x80) return 0;
    return 3;
  }
  if (c < 0xf5) {
    if (avail < 4) return 0;
    const c1 = <u32>load<u8>(p + 1), c2 = <u32>load<u8>(p + 2), c3 = <u32>load<u8>(p + 3);
    let lo: u32 = 0x80, hi: u32 = 0xbf;
    if (c == 0xf0) lo = 0x90; else if (c == 0xf4) hi = 0x8f;
    if (c1 < lo || c1 > hi || (c2 & 0xc0) != 0x80 || (c3 & 0xc0) != 0x80) return 0;
    return 4;
  }
  return 0;
}

// Byte splats for the SIMD fast path of strBody.
const SP = i8x16.splat(0x20);
const HI = i8x16.splat(<i8>0x80);
const QUOTE = i8x16.splat(0x22);
const BSLASH = i8x16.splat(0x5c);
const LT = i8x16.splat(0x3c);
const GT = i8x16.splat(0x3e);
const AMP = i8x16.splat(0x26);

/** Writes the bytes at p as the body of a JSON string (no quotes), escaped the Go way. */
export function strBody(p: usize, len: i32): void {
  const end = p + <usize>len;
  // 16-byte loads may read past the string (the lanes beyond it are masked off) but never past
  // the end of linear memory. Stores may run up to 15 bytes past the text written (every
  // buffer the writer renders into keeps WRITE_SLACK spare bytes, config.ts).
  const limit = (<usize>memory.size() << 16) - 32;
  let q = p;
  while (q < end) {
    if (q <= limit) {
      // SIMD: 16 bytes are checked at once; the lane mask says which of them need escaping or
      // UTF-8 validation. The clean runs between them are stored 16 bytes at a time (from the
      // source, reloaded at each run: every load stays below blk + 32 <= end of memory) and
      // each ASCII byte that needs escaping is escaped from the same mask, so text with many
      // escapes (JSON bodies: a quote every few bytes) is classified once per 16 bytes.
      const v = v128.load(q);
      const bad = v128.or(
        v128.or(i8x16.lt_u(v, SP), i8x16.ge_u(v, HI)),
        v128.or(v128.or(i8x16.eq(v, QUOTE), i8x16.eq(v, BSLASH)), v128.or(v128.or(i8x16.eq(v, LT), i8x16.eq(v, GT)), i8x16.eq(v, AMP))));
      let m = i8x16.bitmask(bad);
      const avail = end - q;
      // A stop bit after the last lane, or at the end of the string: its index <= 16 and <= avail.
      m |= 1 << (avail < 16 ? <i32>avail : 16);
      const blk = q;
      let k = <usize>ctz(m);
      v128.store(pos, v);
      pos += k; q += k;
      // Each further ASCII escape of the block: escape it, then the clean run up to the next one.
      while (k < 16 && q < end) {
        const c = <u32>load<u8>(q);
        if (c >= 0x80) break;
        escByte(c); q++;
        m &= m - 1;
        k = <usize>ctz(m);
        const e = blk + k;
        v128.store(pos, v128.load(q));
        pos += e - q; q = e;
      }
      if (q >= end) break;
      if (k == 16) continue;
    }
    // The byte's class: 0 copy as is (only reached near the end of memory, without SIMD),
    // 1 needs escaping, 2 starts a non-ASCII sequence.
    const cls = load<u8>(CLASS + <usize>load<u8>(q));
    if (cls == 0) { store<u8>(pos, load<u8>(q)); pos++; q++; }
    else if (cls == 1) {
      // CR LF, the line break of HTTP heads and many bodies, in one store.
      if (q + 1 < end && load<u16>(q) == 0x0a0d) { store<u32>(pos, 0x6e5c725c); pos += 4; q += 2; }
      else { escByte(<u32>load<u8>(q)); q++; }
    }
    else {
      const n = utf8Len(q, end);
      if (n == 0) { badByte(); q++; }
      else if (n == 3 && load<u8>(q) == 0xe2 && load<u8>(q + 1) == 0x80 && (load<u8>(q + 2) & 0xfe) == 0xa8) {
        // U+2028 / U+2029 are valid JSON but break JavaScript string literals; Go escapes them.
        store<u32>(pos, 0x3032755c); // "\u20"
        store<u8>(pos + 4, 0x32); store<u8>(pos + 5, <u8>(load<u8>(q + 2) == 0xa8 ? 0x38 : 0x39));
        pos += 6; q += 3;
      } else { copy(pos, q, <usize>n); pos += <usize>n; q += <usize>n; }
    }
  }
}

/** Writes the bytes at p as a quoted JSON string. */
export function str(p: usize, len: i32): void { b(0x22); strBody(p, len); b(0x22); }

/** Worst-case bytes str() writes for len input bytes (each byte may become \ufffd or \u00xx). */
@inline export function strBound(len: i32): i32 { return len * 6 + 2; }

/** Moves the write cursor (renderers that build a fragment in a scratch area and restore it). */
@inline export function setPos(p: usize): void { pos = p; }
