// HPACK encoder (RFC 7541) for the soak generator, as real encoders work: static and dynamic
// table lookups (indexed fields for exact matches, indexed names otherwise), literals with
// incremental indexing by default, a 4096-byte dynamic table with eviction, and Huffman coding
// whenever it is shorter. The Huffman code is rebuilt from the code lengths in
// scripts/gen-huffman.mjs (RFC 7541 Appendix B), read from that file rather than retyped.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** RFC 7541 Appendix A: the static table, index 1..61. */
const STATIC = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/** The Huffman code per symbol 0..256 as [code, bit length], canonical from Appendix B's lengths. */
function huffmanCodes() {
  const src = readFileSync(fileURLToPath(new URL('../../scripts/gen-huffman.mjs', import.meta.url)), 'utf8');
  const m = /const LENGTHS = \[([\s\S]*?)\];/.exec(src);
  const eos = /const EOS_LENGTH = (\d+);/.exec(src);
  if (!m || !eos) throw new Error('hpack: code lengths not found in scripts/gen-huffman.mjs');
  const lens = m[1].replace(/\/\/.*$/gm, '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  lens.push(Number(eos[1]));
  if (lens.length !== 257) throw new Error(`hpack: expected 257 code lengths, found ${lens.length}`);
  const order = lens.map((len, sym) => ({ len, sym })).sort((a, b) => a.len - b.len || a.sym - b.sym);
  const codes = new Array(257);
  let code = 0n, prev = order[0].len;
  for (const { len, sym } of order) { code <<= BigInt(len - prev); prev = len; codes[sym] = [Number(code), len]; code += 1n; }
  if (codes[97][0] !== 0x3 || codes[256][0] !== 0x3fffffff) throw new Error('hpack: Huffman code does not match RFC 7541');
  return codes;
}
const CODES = huffmanCodes();

/** Huffman-encodes a byte string (RFC 7541 §5.2), padded with the most significant bits of EOS. */
export function huffmanEncode(bytes) {
  const out = [];
  let acc = 0, bits = 0;
  for (const c of bytes) {
    const [code, len] = CODES[c];
    let l = len;
    while (l > 0) {
      const take = Math.min(l, 8 - bits);
      acc = (acc << take) | ((code >>> (l - take)) & ((1 << take) - 1));
      bits += take; l -= take;
      if (bits === 8) { out.push(acc); acc = 0; bits = 0; }
    }
  }
  if (bits > 0) out.push((acc << (8 - bits)) | ((1 << (8 - bits)) - 1));
  return Buffer.from(out);
}

/** Length in bytes of the Huffman encoding of `bytes`. */
function huffmanLength(bytes) { let n = 0; for (const c of bytes) n += CODES[c][1]; return Math.ceil(n / 8); }

/** An HPACK integer with an n-bit prefix, the first byte or-ed with `first`. */
function int(v, n, first, out) {
  const max = (1 << n) - 1;
  if (v < max) { out.push(first | v); return; }
  out.push(first | max); v -= max;
  while (v >= 128) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
}

function string(s, out) {
  const raw = Buffer.from(s, 'latin1');
  const hl = huffmanLength(raw);
  if (hl < raw.length) { int(hl, 7, 0x80, out); for (const b of huffmanEncode(raw)) out.push(b); }
  else { int(raw.length, 7, 0, out); for (const b of raw) out.push(b); }
}

/** One direction's HPACK encoder: a dynamic table of `maxSize` bytes (4096, the default). */
export class HpackEncoder {
  constructor(maxSize = 4096) { this.dyn = []; this.size = 0; this.max = maxSize; }

  find(name, value) {
    let nameIdx = 0;
    for (let i = 0; i < STATIC.length; i++) {
      if (STATIC[i][0] !== name) continue;
      if (STATIC[i][1] === value) return { full: i + 1 };
      if (!nameIdx) nameIdx = i + 1;
    }
    for (let i = 0; i < this.dyn.length; i++) {
      if (this.dyn[i][0] !== name) continue;
      if (this.dyn[i][1] === value) return { full: STATIC.length + 1 + i };
      if (!nameIdx) nameIdx = STATIC.length + 1 + i;
    }
    return { name: nameIdx };
  }

  add(name, value) {
    const sz = name.length + value.length + 32;
    while (this.dyn.length && this.size + sz > this.max) { const [n, v] = this.dyn.pop(); this.size -= n.length + v.length + 32; }
    if (sz <= this.max) { this.dyn.unshift([name, value]); this.size += sz; }
  }

  /**
   * Encodes a header list; each field is [name, value, how] with how 'inc' (literal with
   * incremental indexing, the default), 'no' (without indexing) or 'never' (never indexed).
   */
  encode(fields) {
    const out = [];
    for (const [name, value, how = 'inc'] of fields) {
      const f = this.find(name, value);
      if (f.full && how === 'inc') { int(f.full, 7, 0x80, out); continue; }
      if (how === 'inc') int(f.name || 0, 6, 0x40, out);
      else int(f.name || 0, 4, how === 'never' ? 0x10 : 0x00, out);
      if (!f.name) string(name, out);
      string(value, out);
      if (how === 'inc') this.add(name, value);
    }
    return Buffer.from(out);
  }
}
