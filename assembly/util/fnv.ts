// FNV-1a 64 as pcap-sidecar uses it for flow ids (reference §3.1): wrapping u64 arithmetic.

/** FNV-1a 64 offset basis. */
export const FNV_OFFSET: u64 = 14695981039346656037;
/** FNV-1a 64 prime. */
export const FNV_PRIME: u64 = 1099511628211;

/** Folds len bytes at p into h. */
export function fnvBytes(h: u64, p: usize, len: i32): u64 {
  for (let i = 0; i < len; i++) h = (h ^ <u64>load<u8>(p + i)) * FNV_PRIME;
  return h;
}

/** Folds the 8 big-endian bytes of u into h. */
@inline export function fnvU64(h: u64, u: u64): u64 {
  for (let s: i32 = 56; s >= 0; s -= 8) h = (h ^ ((u >> <u64>s) & 0xff)) * FNV_PRIME;
  return h;
}

/** hashU64(u) = addU64(offset, u). */
@inline export function hashU64(u: u64): u64 { return fnvU64(FNV_OFFSET, u); }

/** hashBytes(b) = addBytes(offset, b). */
@inline export function hashBytes(p: usize, len: i32): u64 { return fnvBytes(FNV_OFFSET, p, len); }
