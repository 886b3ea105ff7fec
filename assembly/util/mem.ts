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
