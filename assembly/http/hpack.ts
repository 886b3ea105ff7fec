// HPACK header block decoder (RFC 7541) for passive HTTP/2 analysis: integers (§5.1), string
// literals with Huffman coding (§5.2, Appendix B, table in ./huffman.ts), the static table
// (§2.3.1, Appendix A), the dynamic table with its size accounting and eviction (§2.3.2, §4),
// and the field representations (§6.1 indexed, §6.2.1–§6.2.3 literals, §6.3 size updates).
//
// A capture may start in the middle of a connection, lose a header block, or hold a table larger
// than we can afford, so the decoder keeps only the NEWEST entries the encoder added and reports
// a reference to anything older as an UNKNOWN field instead of failing. That stays correct
// because HPACK indices are relative to the newest entry (§2.3.3): every insertion shifts all
// indices by one on both sides and evictions only ever drop the oldest entries (§4.4). So as long
// as the decoder performs exactly the insertions the encoder performs, its i-th newest entry is
// the encoder's i-th newest entry, whichever old entries either side has dropped. Only a missed
// or an extra insertion misaligns, hence: an insertion whose name is unknown still inserts an
// entry (with an unknown name), and a fatal error — after which the rest of the block's
// insertions are unknown — drops every entry (HpackTable.forget()).
//
// No allocation after construction, no exceptions, no trap on any input: every load is preceded
// by a bounds check against the block, every store by a check against the output capacity.

import { HUFF_DECODE, HUFF_EMIT_BELOW, HUFF_FAIL, huffAccepts } from "./huffman";

// Candidates for ../config.ts (kept here because that file belongs to others right now):
/** Largest dynamic table size (§4.2, §6.3) accepted in a size update; SETTINGS_HEADER_TABLE_SIZE may exceed 4096. */
const HPACK_MAX_TABLE_SIZE: i32 = 1 << 20;
/** Fields decoded per header block; one more is a fatal TOO_MANY_FIELDS. */
const HPACK_MAX_FIELDS: i32 = 512;

/** Dynamic table size before any size update or SETTINGS (RFC 7540 §6.5.2 SETTINGS_HEADER_TABLE_SIZE). */
const DEFAULT_TABLE_SIZE: i32 = 4096;
/** Per-entry overhead in the table size (§4.1). */
const ENTRY_OVERHEAD: i32 = 32;
/** Entries in the static table (Appendix A); dynamic indices start after it (§2.3.3). */
const STATIC_COUNT: i32 = 61;
/** No encoder can hold more entries than this (every entry costs at least 32 bytes of 2^20). */
const MAX_LOGICAL_ENTRIES: i32 = HPACK_MAX_TABLE_SIZE / ENTRY_OVERHEAD;
/** Bytes of the per-field header in the output: u8 flags, u8 0, u16 name length, u32 value length. */
const FIELD_HEADER: i32 = 8;

/** Flags of an output field (byte 0 of its header). */
export const enum HpackFlag {
  /** The field (or its name) referenced a dynamic entry we do not have: the name is empty, and so is the value unless it was a literal. */
  UNKNOWN = 1,
  /** Literal never indexed (§6.2.3): an intermediary must keep it literal; often a secret. */
  NEVER_INDEXED = 2,
  /** A Huffman string of this field was invalid (§5.2); it holds the symbols decoded before the error. */
  HUFFMAN_ERROR = 4,
}

/** Fatal errors of hpackDecode (negative, so they cannot be mistaken for a byte count). */
export const enum HpackErr {
  /** An integer or string runs past the end of the block. */
  TRUNCATED = -1,
  /** An integer has more than 5 continuation bytes or exceeds 2^31 - 1 (§5.1). */
  INTEGER_OVERFLOW = -2,
  /** Index 0 in an indexed field (§6.1). */
  BAD_INDEX_ZERO = -3,
  /** An index beyond any possible dynamic table (61 + 2^20 / 32). */
  BAD_INDEX = -4,
  /** A dynamic table size update above HPACK_MAX_TABLE_SIZE (§6.3). */
  SIZE_UPDATE_TOO_LARGE = -5,
  /** A dynamic table size update after the first field of the block (§4.2). */
  SIZE_UPDATE_NOT_AT_START = -6,
  /** The output buffer cannot take the next field. */
  OUTPUT_FULL = -7,
  /** More than HPACK_MAX_FIELDS fields in one block. */
  TOO_MANY_FIELDS = -8,
  /** A literal name longer than 65535 bytes (the output's u16 name length). */
  NAME_TOO_LONG = -9,
}

/** Text of an HpackErr code. */
export function hpackReason(e: i32): string {
  switch (e) {
    case HpackErr.TRUNCATED: return "HPACK: header block ends inside a field";
    case HpackErr.INTEGER_OVERFLOW: return "HPACK: integer too large";
    case HpackErr.BAD_INDEX_ZERO: return "HPACK: indexed field with index 0";
    case HpackErr.BAD_INDEX: return "HPACK: index beyond any dynamic table";
    case HpackErr.SIZE_UPDATE_TOO_LARGE: return "HPACK: dynamic table size update too large";
    case HpackErr.SIZE_UPDATE_NOT_AT_START: return "HPACK: dynamic table size update after a field";
    case HpackErr.OUTPUT_FULL: return "HPACK: output buffer full";
    case HpackErr.TOO_MANY_FIELDS: return "HPACK: too many fields in one header block";
    case HpackErr.NAME_TOO_LONG: return "HPACK: header name longer than 65535 bytes";
  }
  return "ok";
}

// Static table, RFC 7541 Appendix A: line i is entry i, its name, then after a space its value
// (if any). Kept as text for review; buildStatic() lays it out at module start as bytes (name
// then value, so an indexed field is one copy) with a 4-byte index entry per line, which is
// smaller in the wasm than 61 UTF-16 string objects and faster to copy.
const STATIC_TEXT = `:authority
:method GET
:method POST
:path /
:path /index.html
:scheme http
:scheme https
:status 200
:status 204
:status 206
:status 304
:status 400
:status 404
:status 500
accept-charset
accept-encoding gzip, deflate
accept-language
accept-ranges
accept
access-control-allow-origin
age
allow
authorization
cache-control
content-disposition
content-encoding
content-language
content-length
content-location
content-range
content-type
cookie
date
etag
expect
expires
from
host
if-match
if-modified-since
if-none-match
if-range
if-unmodified-since
last-modified
link
location
max-forwards
proxy-authenticate
proxy-authorization
range
referer
refresh
retry-after
server
set-cookie
strict-transport-security
transfer-encoding
user-agent
vary
via
www-authenticate`;

/** Bytes of all static names and values (684 in Appendix A). */
const STATIC_BYTES_CAP: i32 = 768;
// Name and value bytes of the static entries, back to back.
const STATIC_BYTES: usize = memory.data(STATIC_BYTES_CAP);
// Entry i (1..61) at STATIC_INDEX + 4 * i: u16 offset in STATIC_BYTES, u8 name length, u8 value length.
const STATIC_INDEX: usize = memory.data((STATIC_COUNT + 1) * 4);

function buildStatic(): void {
  const n = STATIC_TEXT.length;
  let entry = 1;
  let start = 0;
  let o = 0;
  let nameLen = -1;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? STATIC_TEXT.charCodeAt(i) : 10;
    if (c == 10) {
      if (nameLen < 0) nameLen = o - start;
      const rec = STATIC_INDEX + (<usize>entry << 2);
      store<u16>(rec, <u16>start);
      store<u8>(rec, <u8>nameLen, 2);
      store<u8>(rec, <u8>(o - start - nameLen), 3);
      entry++;
      start = o;
      nameLen = -1;
    } else if (c == 32 && nameLen < 0) {
      nameLen = o - start;
    } else if (o < STATIC_BYTES_CAP && entry <= STATIC_COUNT) {
      store<u8>(STATIC_BYTES + <usize>o, <u8>c);
      o++;
    }
  }
}
buildStatic();

/** One HPACK dynamic table (one per connection direction). Allocated once, reused via reset(). */
export class HpackTable {
  /** Whether this table has ever decoded a block (false after reset). */
  used: bool = false;
  /** Logical maximum size (§4.2): the last size update, setMaxSize(), or 4096. */
  maxSize: i32 = DEFAULT_TABLE_SIZE;
  /** Logical size of the `count` entries (§4.1: name + value + 32 each). */
  size: i32 = 0;
  /** Entries the encoder holds as far as we know, newest first; only the newest `held` have bytes. */
  count: i32 = 0;
  /** The newest `held` entries (held ≤ count) still have their name and value in the byte store. */
  held: i32 = 0;

  // Byte store: a ring of `byteCap` bytes holding name + value of the held entries contiguously
  // in insertion order, so the used region is the `bytesUsed` bytes before `writePos` (wrapping).
  bytes: StaticArray<u8>;
  byteCap: i32;
  bytesUsed: i32 = 0;
  writePos: i32 = 0;

  // Entry ring (a power of two of slots): entry i (1 = newest) is in slot (newest - i + 1) & mask.
  // Entries outlive their bytes so that logical eviction (§4.4) follows the encoder's.
  slotMask: i32;
  newest: i32 = 0;
  eOff: StaticArray<i32>;
  eName: StaticArray<i32>;
  eValue: StaticArray<i32>;
  eFlags: StaticArray<u8>;

  /** A table whose byte store holds capacityBytes bytes of names and values (e.g. 16384). */
  constructor(capacityBytes: i32) {
    const cap = capacityBytes > 0 ? capacityBytes : 0;
    this.byteCap = cap;
    this.bytes = new StaticArray<u8>(cap);
    // Enough slots for every entry of a 4096-byte table (≤ 128 entries) and of a full store
    // (≤ cap / 32). More entries only happen with a raised logical size and drop the oldest.
    let slots = 128;
    while (slots < (cap >> 5)) slots <<= 1;
    this.slotMask = slots - 1;
    this.eOff = new StaticArray<i32>(slots);
    this.eName = new StaticArray<i32>(slots);
    this.eValue = new StaticArray<i32>(slots);
    this.eFlags = new StaticArray<u8>(slots);
  }

  /** Empties the table and restores the default logical size 4096, as on a new connection. */
  reset(): void {
    this.forget();
    this.maxSize = DEFAULT_TABLE_SIZE;
    this.used = false;
  }

  /** Drops every entry but keeps the logical size: call it after a lost header block (older references become UNKNOWN). */
  forget(): void {
    this.count = 0;
    this.held = 0;
    this.size = 0;
    this.bytesUsed = 0;
    this.writePos = 0;
  }

  /** Sets the logical maximum size known out of band (0..2^20, clamped) and evicts to fit (§4.3). */
  setMaxSize(n: i32): void {
    this.maxSize = n < 0 ? 0 : (n > HPACK_MAX_TABLE_SIZE ? HPACK_MAX_TABLE_SIZE : n);
    while (this.size > this.maxSize && this.count > 0) this.evictOldest();
  }

  /** Writes dynamic entry i (1 = newest) to out as one output field; returns its bytes, or BAD_INDEX / OUTPUT_FULL. */
  entry(i: i32, out: usize, outCap: i32): i32 {
    if (i < 1 || i > this.count) return HpackErr.BAD_INDEX;
    if (outCap < FIELD_HEADER) return HpackErr.OUTPUT_FULL;
    const nameLen = copyDynamic(this, i, out + FIELD_HEADER, outCap - FIELD_HEADER, true);
    if (nameLen < 0) return nameLen;
    writeFieldHeader(out, refFlags, nameLen, refValueLen);
    return FIELD_HEADER + nameLen + refValueLen;
  }

  /** Logical size of entry i (1 = newest), as §4.1 counts it (name + value + 32). */
  entrySize(i: i32): i32 {
    if (i < 1 || i > this.count) return 0;
    const s = this.slot(i);
    return unchecked(this.eName[s]) + unchecked(this.eValue[s]) + ENTRY_OVERHEAD;
  }

  @inline slot(i: i32): i32 { return (this.newest - i + 1) & this.slotMask; }

  // Drops the bytes of the oldest held entry (physical eviction; the entry stays known).
  dropOldestBytes(): void {
    const s = this.slot(this.held);
    this.bytesUsed -= unchecked(this.eName[s]) + unchecked(this.eValue[s]);
    this.held--;
  }

  // Evicts the oldest entry (§4.4), and its bytes if it still has them.
  evictOldest(): void {
    if (this.held == this.count) this.dropOldestBytes();
    this.size -= this.entrySize(this.count);
    this.count--;
  }

  // Adds an entry (§4.4) whose name and value lie contiguously at src. flags: UNKNOWN when the
  // name is unknown (nameLen is then 0), HUFFMAN_ERROR when a string was invalid. An unknown name
  // counts 0 bytes: the table may then be slightly larger than the encoder's, which is harmless
  // (we may keep an entry the encoder evicted; the encoder never refers to it).
  insert(src: usize, nameLen: i32, valueLen: i32, flags: i32): void {
    // An entry larger than the maximum empties the table and is not added, on both sides (§4.4).
    if (<i64>nameLen + <i64>valueLen + ENTRY_OVERHEAD > <i64>this.maxSize) {
      while (this.count > 0) this.evictOldest();
      return;
    }
    const esize = nameLen + valueLen + ENTRY_OVERHEAD;
    while (this.size + esize > this.maxSize && this.count > 0) this.evictOldest();
    // Entry ring full (only with a raised logical size): forget the oldest, as if evicted.
    if (this.count > this.slotMask) this.evictOldest();
    const n = nameLen + valueLen;
    let off = 0;
    const stored = n <= this.byteCap;
    if (stored) {
      // Physical eviction: the oldest held entries lose their bytes until this one fits.
      while (this.byteCap - this.bytesUsed < n) this.dropOldestBytes();
      off = this.writePos;
      const first = min(n, this.byteCap - off);
      const base = changetype<usize>(this.bytes);
      memory.copy(base + <usize>off, src, <usize>first);
      memory.copy(base, src + <usize>first, <usize>(n - first));
      this.writePos = off + n >= this.byteCap ? off + n - this.byteCap : off + n;
      this.bytesUsed += n;
    } else {
      // Too large for the store: no older entry can be held either (held is a newest-first run).
      this.held = 0;
      this.bytesUsed = 0;
      this.writePos = 0;
    }
    this.newest = (this.newest + 1) & this.slotMask;
    const s = this.newest;
    unchecked(this.eOff[s] = off);
    unchecked(this.eName[s] = nameLen);
    unchecked(this.eValue[s] = valueLen);
    unchecked(this.eFlags[s] = <u8>flags);
    this.count++;
    this.size += esize;
    if (stored) this.held++;
  }
}

/** Bytes written to `out` by the last hpackDecode: all of it on success, the complete fields before a fatal error. */
export let hpackOutLen: i32 = 0;
/** Fields written to `out` by the last hpackDecode. */
export let hpackFieldCount: i32 = 0;

// Results besides the return value (module globals instead of allocated tuples).
let intEnd: i32 = 0;      // decodeInt: offset after the integer
let strEnd: i32 = 0;      // decodeString: offset after the string
let huffBad: bool = false; // decodeString / huffDecode: the Huffman string was invalid
let refFlags: i32 = 0;    // copyRef / copyDynamic: UNKNOWN / HUFFMAN_ERROR of the entry
let refValueLen: i32 = 0; // copyRef / copyDynamic: value bytes written after the name

// §5.1. Integer with an N-bit prefix at pos (pos < len checked by the caller). Returns the value
// (0..2^31-1) or TRUNCATED / INTEGER_OVERFLOW; intEnd is the offset after it. At most 5
// continuation bytes: enough for 2^31 - 1, and it bounds the zero-padded encodings the RFC allows.
function decodeInt(p: usize, len: i32, pos: i32, prefixBits: i32): i32 {
  const mask = (1 << prefixBits) - 1;
  const v = <i32>load<u8>(p + <usize>pos) & mask;
  pos++;
  if (v < mask) { intEnd = pos; return v; }
  let acc = <u64>v;
  let shift: u64 = 0;
  while (true) {
    if (shift > 28) return HpackErr.INTEGER_OVERFLOW;
    if (pos >= len) return HpackErr.TRUNCATED;
    const b = <u64>load<u8>(p + <usize>pos);
    pos++;
    acc += (b & 127) << shift;
    if ((b & 128) == 0) break;
    shift += 7;
  }
  if (acc > 0x7fffffff) return HpackErr.INTEGER_OVERFLOW;
  intEnd = pos;
  return <i32>acc;
}

/** Decodes one HPACK integer (§5.1) with a prefixBits-bit prefix (1..8) at p; returns it or a negative HpackErr; hpackIntLen is its length. */
export function hpackDecodeInt(p: usize, len: i32, prefixBits: i32): i32 {
  if (len < 1) return HpackErr.TRUNCATED;
  const r = decodeInt(p, len, 0, prefixBits < 1 || prefixBits > 8 ? 8 : prefixBits);
  hpackIntLen = r < 0 ? 0 : intEnd;
  return r;
}
/** Bytes used by the integer of the last successful hpackDecodeInt. */
export let hpackIntLen: i32 = 0;

// §5.2, Appendix B. Decodes n Huffman bytes at src into dst (room bytes). Returns the symbols
// written, or OUTPUT_FULL. An EOS symbol or bad padding sets huffBad; the symbols before it are kept.
function huffDecode(src: usize, n: i32, dst: usize, room: i32): i32 {
  let state: u32 = 0;
  let o = 0;
  huffBad = false;
  for (let i = 0; i < n; i++) {
    const b = <u32>load<u8>(src + <usize>i);
    // High nibble, then low nibble: at most one symbol each (shortest code: 5 bits).
    let e = <u32>load<u16>(HUFF_DECODE + (<usize>((state << 4) | (b >> 4)) << 1));
    if (e == HUFF_FAIL) { huffBad = true; return o; }
    state = e & 0xff;
    if (state < HUFF_EMIT_BELOW) {
      if (o >= room) return HpackErr.OUTPUT_FULL;
      store<u8>(dst + <usize>o, <u8>(e >> 8));
      o++;
    }
    e = <u32>load<u16>(HUFF_DECODE + (<usize>((state << 4) | (b & 15)) << 1));
    if (e == HUFF_FAIL) { huffBad = true; return o; }
    state = e & 0xff;
    if (state < HUFF_EMIT_BELOW) {
      if (o >= room) return HpackErr.OUTPUT_FULL;
      store<u8>(dst + <usize>o, <u8>(e >> 8));
      o++;
    }
  }
  if (!huffAccepts(state)) huffBad = true;
  return o;
}

// §5.2. String literal at pos (pos < len checked by the caller) into dst (room bytes). Returns
// its decoded length or a negative HpackErr; strEnd is the offset after it, huffBad its validity.
function decodeString(p: usize, len: i32, pos: i32, dst: usize, room: i32): i32 {
  const huffman = (load<u8>(p + <usize>pos) & 0x80) != 0;
  const n = decodeInt(p, len, pos, 7);
  if (n < 0) return n;
  pos = intEnd;
  if (n > len - pos) return HpackErr.TRUNCATED;
  strEnd = pos + n;
  if (huffman) return huffDecode(p + <usize>pos, n, dst, room);
  huffBad = false;
  if (n > room) return HpackErr.OUTPUT_FULL;
  memory.copy(dst, p + <usize>pos, <usize>n);
  return n;
}

// Copies dynamic entry i (1..count) to dst: its name, and its value after it if withValue.
// Returns the name length or OUTPUT_FULL; sets refFlags and refValueLen. An entry without bytes
// (never held, or evicted physically) writes nothing and is UNKNOWN.
function copyDynamic(t: HpackTable, i: i32, dst: usize, room: i32, withValue: bool): i32 {
  refValueLen = 0;
  if (i > t.held) { refFlags = HpackFlag.UNKNOWN; return 0; }
  const s = t.slot(i);
  const nameLen = unchecked(t.eName[s]);
  const valueLen = withValue ? unchecked(t.eValue[s]) : 0;
  const n = nameLen + valueLen;
  if (n > room) return HpackErr.OUTPUT_FULL;
  const off = unchecked(t.eOff[s]);
  const first = min(n, t.byteCap - off);
  const base = changetype<usize>(t.bytes);
  memory.copy(dst, base + <usize>off, <usize>first);
  memory.copy(dst + <usize>first, base, <usize>(n - first));
  refFlags = <i32>unchecked(t.eFlags[s]);
  refValueLen = valueLen;
  return nameLen;
}

// Resolves index (≥ 1) in the static table, then t (§2.3.3), and copies the name (and the value
// if withValue) to dst. Returns the name length or BAD_INDEX / OUTPUT_FULL; sets refFlags and
// refValueLen. Indices past the entries we know are UNKNOWN, not errors: the capture may have
// started after they were added (below MAX_LOGICAL_ENTRIES, no encoder could have them: error).
function copyRef(t: HpackTable, index: i32, dst: usize, room: i32, withValue: bool): i32 {
  if (index <= STATIC_COUNT) {
    const rec = STATIC_INDEX + (<usize>index << 2);
    const nameLen = <i32>load<u8>(rec, 2);
    const valueLen = withValue ? <i32>load<u8>(rec, 3) : 0;
    if (nameLen + valueLen > room) return HpackErr.OUTPUT_FULL;
    memory.copy(dst, STATIC_BYTES + <usize>load<u16>(rec), <usize>(nameLen + valueLen));
    refFlags = 0;
    refValueLen = valueLen;
    return nameLen;
  }
  const i = index - STATIC_COUNT;
  if (i > MAX_LOGICAL_ENTRIES) return HpackErr.BAD_INDEX;
  if (i > t.count) { refFlags = HpackFlag.UNKNOWN; refValueLen = 0; return 0; }
  return copyDynamic(t, i, dst, room, withValue);
}

// Output field header: u8 flags, u8 0, u16 name length, u32 value length (little-endian).
@inline function writeFieldHeader(out: usize, flags: i32, nameLen: i32, valueLen: i32): void {
  store<u8>(out, <u8>flags);
  store<u8>(out, 0, 1);
  store<u16>(out, <u16>nameLen, 2);
  store<u32>(out, <u32>valueLen, 4);
}

// Records the fatal error: the complete fields so far stay in out (hpackOutLen, hpackFieldCount
// were updated after each of them); the table forgets all entries because the block's remaining
// insertions are lost, and later references to older entries must read as UNKNOWN, not wrong.
function fail(t: HpackTable, e: i32): i32 {
  t.forget();
  return e;
}

/**
 * Decodes one complete header block (HEADERS + CONTINUATION fragments already joined) with table t.
 * Fields go to out (outCap bytes, not overlapping the block), each as: u8 flags (HpackFlag), u8 0,
 * u16 name length, u32 value length (little-endian), name, value. Returns the bytes written, or a
 * negative HpackErr with the complete fields before the error kept (hpackOutLen, hpackFieldCount).
 */
export function hpackDecode(t: HpackTable, p: usize, len: i32, out: usize, outCap: i32): i32 {
  t.used = true;
  hpackOutLen = 0;
  hpackFieldCount = 0;
  let pos = 0;
  let o = 0;
  let fields = 0;
  while (pos < len) {
    const b = <u32>load<u8>(p + <usize>pos);
    if ((b & 0xe0) == 0x20) {
      // §6.3 dynamic table size update: only before the first field (§4.2).
      if (fields > 0) return fail(t, HpackErr.SIZE_UPDATE_NOT_AT_START);
      const n = decodeInt(p, len, pos, 5);
      if (n < 0) return fail(t, n);
      if (n > HPACK_MAX_TABLE_SIZE) return fail(t, HpackErr.SIZE_UPDATE_TOO_LARGE);
      pos = intEnd;
      t.setMaxSize(n);
      continue;
    }
    if (fields >= HPACK_MAX_FIELDS) return fail(t, HpackErr.TOO_MANY_FIELDS);
    if (outCap - o < FIELD_HEADER) return fail(t, HpackErr.OUTPUT_FULL);
    const at = o + FIELD_HEADER;
    const dst = out + <usize>at;
    const room = outCap - at;
    let flags = 0;
    let nameLen = 0;
    let valueLen = 0;
    if (b & 0x80) {
      // §6.1 indexed field: name and value from the tables.
      const index = decodeInt(p, len, pos, 7);
      if (index < 0) return fail(t, index);
      if (index == 0) return fail(t, HpackErr.BAD_INDEX_ZERO);
      pos = intEnd;
      nameLen = copyRef(t, index, dst, room, true);
      if (nameLen < 0) return fail(t, nameLen);
      flags = refFlags;
      valueLen = refValueLen;
    } else {
      // §6.2.1 with incremental indexing (01, 6-bit index), §6.2.2 without indexing (0000,
      // 4-bit), §6.2.3 never indexed (0001, 4-bit). Index 0: the name is a literal.
      const indexing = (b & 0xc0) == 0x40;
      if ((b & 0xf0) == 0x10) flags = HpackFlag.NEVER_INDEXED;
      const index = decodeInt(p, len, pos, indexing ? 6 : 4);
      if (index < 0) return fail(t, index);
      pos = intEnd;
      if (index == 0) {
        if (pos >= len) return fail(t, HpackErr.TRUNCATED);
        nameLen = decodeString(p, len, pos, dst, room);
        if (nameLen < 0) return fail(t, nameLen);
        if (nameLen > 0xffff) return fail(t, HpackErr.NAME_TOO_LONG);
        if (huffBad) flags |= HpackFlag.HUFFMAN_ERROR;
        pos = strEnd;
      } else {
        nameLen = copyRef(t, index, dst, room, false);
        if (nameLen < 0) return fail(t, nameLen);
        flags |= refFlags;
      }
      if (pos >= len) return fail(t, HpackErr.TRUNCATED);
      valueLen = decodeString(p, len, pos, dst + <usize>nameLen, room - nameLen);
      if (valueLen < 0) return fail(t, valueLen);
      if (huffBad) flags |= HpackFlag.HUFFMAN_ERROR;
      pos = strEnd;
      // The entry keeps what the field shows: an unknown name stays unknown in later references.
      if (indexing) t.insert(dst, nameLen, valueLen, flags & (HpackFlag.UNKNOWN | HpackFlag.HUFFMAN_ERROR));
    }
    writeFieldHeader(out + <usize>o, flags, nameLen, valueLen);
    o = at + nameLen + valueLen;
    fields++;
    hpackOutLen = o;
    hpackFieldCount = fields;
  }
  return o;
}
