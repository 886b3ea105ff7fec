// Unaligned little/big-endian loads over linear memory. Callers check bounds once, then read.

/** Big-endian u16 at p. */
@inline export function be16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
/** Big-endian u32 at p. */
@inline export function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
/** Little-endian u16 at p. */
@inline export function le16(p: usize): u32 { return <u32>load<u16>(p); }
/** Little-endian u32 at p. */
@inline export function le32(p: usize): u32 { return load<u32>(p); }
/** u8 at p. */
@inline export function u8at(p: usize): u32 { return <u32>load<u8>(p); }
/** u16 at p in the given byte order. */
@inline export function rd16(p: usize, big: bool): u32 { return big ? be16(p) : le16(p); }
/** u32 at p in the given byte order. */
@inline export function rd32(p: usize, big: bool): u32 { return big ? be32(p) : le32(p); }

/**
 * Copies n bytes from src to dst, exactly (nothing outside [dst, dst+n) is written). Short
 * copies use overlapping loads and stores in wasm: V8 compiles memory.copy to a call into C,
 * which costs more than the copy itself for the few-byte fragments a record is built from.
 * Safe when the ranges do not overlap or dst < src; longer copies go to memory.copy.
 */
export function copy(dst: usize, src: usize, n: usize): void {
  if (n <= 16) {
    if (n >= 8) { const a = load<u64>(src), z = load<u64>(src + n - 8); store<u64>(dst, a); store<u64>(dst + n - 8, z); return; }
    if (n >= 4) { const a = load<u32>(src), z = load<u32>(src + n - 4); store<u32>(dst, a); store<u32>(dst + n - 4, z); return; }
    if (n >= 2) { const a = load<u16>(src), z = load<u16>(src + n - 2); store<u16>(dst, a); store<u16>(dst + n - 2, z); return; }
    if (n != 0) store<u8>(dst, load<u8>(src));
    return;
  }
  if (n <= 128) {
    // The last 16 bytes are read before any store, so a forward move (dst < src) stays correct.
    const last = v128.load(src + n - 16);
    for (let i: usize = 0; i + 16 < n; i += 16) v128.store(dst + i, v128.load(src + i));
    v128.store(dst + n - 16, last);
    return;
  }
  memory.copy(dst, src, n);
}

/** Index of the first byte equal to c in p[from, to), or to; 16 bytes at a time (SIMD). */
export function findByte(p: usize, from: i32, to: i32, c: u8): i32 {
  const needle = i8x16.splat(c);
  // Loads may read past `to` (those lanes are masked off) but never past the end of memory.
  const limit = (<usize>memory.size() << 16) - 16;
  let i = from;
  while (i < to) {
    const a = p + <usize>i;
    if (a <= limit) {
      let m = i8x16.bitmask(i8x16.eq(v128.load(a), needle));
      const avail = to - i;
      if (avail < 16) m &= (1 << avail) - 1;
      if (m != 0) return i + <i32>ctz(m);
      i += avail < 16 ? avail : 16;
    } else {
      if (load<u8>(a) == c) return i;
      i++;
    }
  }
  return to;
}
