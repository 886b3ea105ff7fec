// A small HPACK encoder (RFC 7541) for the benchmark's HTTP/2 traffic (bench/gen.js), encoding
// the way real HTTP/2 stacks do (Go's net/http2, nghttp2, Chromium, grpc):
//   - a field whose name and value are both in the static table (§2.3.1, Appendix A) or the
//     dynamic table (§2.3.2) is sent as an indexed field (§6.1): `:method GET` is 0x82,
//     `:scheme http` 0x86, `:status 200` 0x88, a repeated `:authority` one byte 0xbe..;
//   - any other field is a literal with incremental indexing (§6.2.1), its name by index when the
//     static table (first) or the dynamic table has it, and is added to the dynamic table, which
//     evicts its oldest entries to stay within its maximum size (§4.4; default 4096 bytes, the
//     SETTINGS_HEADER_TABLE_SIZE default);
//   - every string literal (§5.2) is Huffman-coded (Appendix B) when that is shorter than the raw
//     octets. The Huffman code is scripts/gen-huffman.mjs's (canonicalCodes), the one the core's
//     decoder table is generated from: its lengths are typed once, there.
// One encoder holds one direction of one connection (a header block may refer to entries added
// by earlier blocks of the same direction only). No dynamic table size update is ever sent: the
// table keeps the size both ends start with.
//
//   const enc = new HpackEncoder();            // { maxSize: 4096, huffman: true }
//   const block = enc.encode([[':method', 'GET'], [':path', '/'], ...]);   // a Buffer
//
// Names must be lower case (RFC 9113 §8.2.1); names and values are taken as Latin-1 octets.
import { canonicalCodes } from '../scripts/gen-huffman.mjs';

/** RFC 7541 Appendix A: STATIC_TABLE[i - 1] is [name, value] of static index i (1..61). */
export const STATIC_TABLE = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''],
  ['etag', ''], ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''],
  ['if-modified-since', ''], ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''],
  ['last-modified', ''], ['link', ''], ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''],
  ['proxy-authorization', ''], ['range', ''], ['referer', ''], ['refresh', ''], ['retry-after', ''],
  ['server', ''], ['set-cookie', ''], ['strict-transport-security', ''], ['transfer-encoding', ''],
  ['user-agent', ''], ['vary', ''], ['via', ''], ['www-authenticate', ''],
];
if (STATIC_TABLE.length !== 61) throw new Error('hpack: the static table has 61 entries');

// Static lookups: "name\0value" -> index, and name -> its lowest index.
const STATIC_FIELD = new Map(), STATIC_NAME = new Map();
STATIC_TABLE.forEach(([n, v], i) => {
  if (!STATIC_FIELD.has(`${n}\0${v}`)) STATIC_FIELD.set(`${n}\0${v}`, i + 1);
  if (!STATIC_NAME.has(n)) STATIC_NAME.set(n, i + 1);
});

/** §4.1: an entry's size is its name's and value's octets plus 32. */
export const entrySize = (name, value) => name.length + value.length + 32;

// Huffman code per octet: [code, bits] (symbol 256, EOS, is never sent; its high bits pad).
const HUFF = canonicalCodes();

/** Octets of `bytes` Huffman-coded (§5.2): the bits rounded up to whole octets. */
export function huffmanLength(bytes) {
  let bits = 0;
  for (const b of bytes) bits += HUFF[b][1];
  return Math.ceil(bits / 8);
}

/** Huffman-codes `bytes` (§5.2): codes most significant bit first, padded with ones (EOS's prefix). */
export function huffmanEncode(bytes) {
  const out = Buffer.alloc(huffmanLength(bytes));
  // acc holds the `pending` bits not yet written (< 8 + 30 bits: exact in a double).
  let acc = 0, pending = 0, o = 0;
  for (const b of bytes) {
    const [code, bits] = HUFF[b];
    acc = acc * 2 ** bits + code; pending += bits;
    while (pending >= 8) {
      pending -= 8;
      const top = Math.floor(acc / 2 ** pending);
      out[o++] = top; acc -= top * 2 ** pending;
    }
  }
  if (pending > 0) out[o++] = acc * 2 ** (8 - pending) + (2 ** (8 - pending) - 1);
  return out;
}

/** §5.1: `value` with an N-bit prefix; `flags` are the first octet's bits above the prefix. */
function writeInt(out, flags, prefixBits, value) {
  const max = 2 ** prefixBits - 1;
  if (value < max) { out.push(flags | value); return; }
  out.push(flags | max);
  for (value -= max; value >= 128; value = Math.floor(value / 128)) out.push(128 + (value % 128));
  out.push(value);
}

export class HpackEncoder {
  /** Dynamic table, newest first: [name, value] at dynamic index 62 + position (§2.3.3). */
  entries = [];
  /** Sum of the entries' sizes (§4.1). */
  size = 0;
  /** What the blocks so far were made of (for a generator's summary and the tests). */
  stats = { fields: 0, indexed: 0, literals: 0, huffman: 0, raw: 0, evicted: 0 };

  constructor({ maxSize = 4096, huffman = true } = {}) {
    this.maxSize = maxSize;
    this.huffman = huffman;
  }

  /** One header block: fields = [[name, value], ...] in order. Returns the block's octets. */
  encode(fields) {
    const out = [];
    for (const [name, value] of fields) {
      this.stats.fields++;
      const index = STATIC_FIELD.get(`${name}\0${value}`) ?? this.#dynamicIndex(name, value);
      if (index) { writeInt(out, 0x80, 7, index); this.stats.indexed++; continue; }
      // §6.2.1: 01 + name index (6-bit prefix), or 0 and the name as a string; then the value.
      const nameIndex = STATIC_NAME.get(name) ?? this.#dynamicIndex(name, null);
      writeInt(out, 0x40, 6, nameIndex ?? 0);
      if (!nameIndex) this.#writeString(out, name);
      this.#writeString(out, value);
      this.stats.literals++;
      this.#add(name, value);
    }
    return Buffer.from(out);
  }

  // Dynamic index of (name, value), or of the newest entry with that name when value is null.
  #dynamicIndex(name, value) {
    for (let i = 0; i < this.entries.length; i++) {
      const [n, v] = this.entries[i];
      if (n === name && (value === null || v === value)) return 62 + i;
    }
    return undefined;
  }

  // §5.2: H bit + length (7-bit prefix), then the octets, Huffman-coded when that is shorter.
  #writeString(out, s) {
    const raw = Buffer.from(s, 'latin1');
    if (this.huffman && huffmanLength(raw) < raw.length) {
      const h = huffmanEncode(raw);
      writeInt(out, 0x80, 7, h.length);
      for (const b of h) out.push(b);
      this.stats.huffman++;
    } else {
      writeInt(out, 0x00, 7, raw.length);
      for (const b of raw) out.push(b);
      this.stats.raw++;
    }
  }

  // §4.4: evict from the end (oldest) until the new entry fits; one larger than the whole table
  // empties it and is not added.
  #add(name, value) {
    const size = entrySize(name, value);
    while (this.entries.length && this.size + size > this.maxSize) {
      const [n, v] = this.entries.pop();
      this.size -= entrySize(n, v); this.stats.evicted++;
    }
    if (size > this.maxSize) return;
    this.entries.unshift([name, value]);
    this.size += size;
  }
}
