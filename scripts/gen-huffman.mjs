#!/usr/bin/env node
// gen-huffman.mjs: generates assembly/http/huffman.ts, the table-driven HPACK Huffman decoder
// table (RFC 7541 §5.2, Appendix B), from the code lengths of Appendix B below.
//
//   node scripts/gen-huffman.mjs            write assembly/http/huffman.ts
//   node scripts/gen-huffman.mjs --check    exit 1 if assembly/http/huffman.ts is out of date
//
// The Appendix B code is canonical: codes of equal length are consecutive, ordered by symbol,
// and each length starts where the previous one ended (shifted left). So the lengths alone
// define it; the generator rebuilds the codes and checks them against codes the RFC prints
// (SPOT_CHECKS) and checks that the code is complete (Kraft sum exactly 1), which catches a
// mistyped length. Node 20, ESM, no dependencies; the output is a pure function of this file.
// The code itself is exported (canonicalCodes, LENGTHS, EOS): bench/hpack.js, the benchmark's
// HPACK encoder, Huffman-codes its strings with it; importing this file writes nothing.
//
// Decoder: a state is an internal node of the code tree (256 of them for 257 symbols), i.e. the
// bits of the current code read so far. The table maps (state, next 4 input bits) to the next
// state and at most one symbol (the shortest code has 5 bits, so 4 bits finish at most one).
// A byte is two lookups. The 4-bit step keeps the table at 256 * 16 * 2 bytes = 8 KiB
// (an 8-bit step would need 256 * 256 entries of up to two symbols: 256 KiB or more).

import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "assembly/http/huffman.ts");

// Code length in bits of symbols 0..255 (RFC 7541 Appendix B, column "len in bits"), 16 a row.
export const LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0x00
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 0x10
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,          // 0x20  ' ' .. '/'
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,              // 0x30  '0' .. '?'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,                // 0x40  '@' .. 'O'
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,             // 0x50  'P' .. '_'
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,                // 0x60  '`' .. 'o'
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,            // 0x70  'p' .. DEL
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 0x80
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 0x90
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 0xa0
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 0xb0
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 0xc0
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 0xd0
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 0xe0
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 0xf0
];
export const EOS = 256;
export const EOS_LENGTH = 30;

// [symbol, code] pairs as printed in Appendix B, spread over every code length.
const SPOT_CHECKS = [
  [0, 0x1ff8], [1, 0x7fffd8], [9, 0xffffea], [10, 0x3ffffffc], [13, 0x3ffffffd], [22, 0x3ffffffe],
  [31, 0xffffffb], [32, 0x14], [33, 0x3f8], [35, 0xffa], [36, 0x1ff9], [38, 0xf8], [39, 0x7fa],
  [48, 0x0], [58, 0x5c], [60, 0x7ffc], [62, 0xffb], [92, 0x7fff0], [94, 0x3ffc], [97, 0x3],
  [122, 0x7b], [123, 0x7ffe], [126, 0x1ffd], [127, 0xffffffc], [128, 0xfffe6], [129, 0x3fffd2],
  [135, 0x7fffd9], [142, 0xffffeb], [153, 0x1fffdc], [192, 0x3ffffe0], [195, 0x7fff1],
  [199, 0x1ffffec], [203, 0x7ffffde], [220, 0xffffffd], [224, 0xfffec], [249, 0xffffffe],
  [254, 0x7fffff0], [255, 0x3ffffee], [256, 0x3fffffff],
];

// Thrown, so that an importer sees it too; run as a script, it is one line on stderr and exit 1.
function fail(msg) {
  throw new Error(`gen-huffman: ${msg}`);
}

/** Canonical codes from the lengths: returns [code, len] per symbol 0..256 (256 is EOS). */
export function canonicalCodes() {
  const lens = LENGTHS.concat([EOS_LENGTH]);
  if (lens.length !== 257) fail(`expected 257 lengths, have ${lens.length}`);
  const order = lens.map((len, sym) => ({ len, sym })).sort((a, b) => a.len - b.len || a.sym - b.sym);
  const codes = new Array(257);
  let code = 0n, prevLen = order[0].len;
  for (const { len, sym } of order) {
    code <<= BigInt(len - prevLen);
    prevLen = len;
    codes[sym] = [Number(code), len];
    code += 1n;
  }
  // Complete code: after the last (longest) code the counter overflows exactly to 2^len.
  if (code !== 1n << BigInt(prevLen)) fail("code lengths do not form a complete prefix code");
  for (const [sym, want] of SPOT_CHECKS) {
    if (codes[sym][0] !== want) fail(`symbol ${sym}: code 0x${codes[sym][0].toString(16)}, RFC says 0x${want.toString(16)}`);
  }
  return codes;
}

/** Code tree: node 0 is the root; child[n] = [left, right]; sym[n] >= 0 for leaves. */
function buildTree(codes) {
  const child = [[-1, -1]], sym = [-1], depth = [0], prefix = [0];
  codes.forEach(([code, len], s) => {
    let n = 0;
    for (let i = len - 1; i >= 0; i--) {
      const bit = (code >>> i) & 1;
      if (sym[n] >= 0) fail(`code of ${s} passes through a leaf`);
      if (child[n][bit] < 0) {
        child[n][bit] = child.length;
        child.push([-1, -1]); sym.push(-1); depth.push(depth[n] + 1); prefix.push(prefix[n] * 2 + bit);
      }
      n = child[n][bit];
    }
    if (sym[n] >= 0 || child[n][0] >= 0 || child[n][1] >= 0) fail(`code of ${s} is a prefix of another`);
    sym[n] = s;
  });
  return { child, sym, depth, prefix };
}

// State ids are chosen so that the decoder needs no per-state flags:
//   ids 0..3    the all-ones nodes of depth 0..3 (root, 1, 11, 111)
//   ids 4..14   the other nodes of depth 1..3
//   ids 15..18  the all-ones nodes of depth 4..7
//   ids 19..    every deeper node, breadth first
// A transition emits a symbol exactly when its target has depth < 4 (id < 15): after a symbol
// fewer than 4 bits of the nibble are left, and a nibble that emits nothing goes 4 levels down.
// A string may end exactly in ids 0..3 and 15..18: the bits since the last symbol are at most 7
// ones, i.e. valid padding (a prefix of EOS of fewer than 8 bits, §5.2).
function numberStates(tree) {
  const internal = [];
  for (let n = 0; n < tree.sym.length; n++) if (tree.sym[n] < 0) internal.push(n);
  const allOnes = (n) => tree.prefix[n] === 2 ** tree.depth[n] - 1;
  const rank = (n) => {
    const d = tree.depth[n];
    if (d < 4) return allOnes(n) ? 0 : 1;
    if (d < 8 && allOnes(n)) return 2;
    return 3;
  };
  internal.sort((a, b) => rank(a) - rank(b) || tree.depth[a] - tree.depth[b] || tree.prefix[a] - tree.prefix[b]);
  const id = new Map(internal.map((n, i) => [n, i]));
  if (internal.length !== 256) fail(`expected 256 internal nodes, have ${internal.length}`);
  const shallow = internal.filter((n) => tree.depth[n] < 4).length;
  if (shallow !== 15) fail(`expected 15 nodes above depth 4, have ${shallow}`);
  for (let d = 0; d < 8; d++) {
    const want = d < 4 ? d : 15 + d - 4;
    const n = internal[want];
    if (tree.depth[n] !== d || !allOnes(n)) fail(`state ${want} is not the all-ones node of depth ${d}`);
  }
  return { internal, id };
}

const EMIT_BELOW = 15;
const FAIL = 0xffff;
const accepts = (s) => s < 4 || (s >= 15 && s < 19);

/** The transition table: 256 states * 16 nibbles of u16 (next state | symbol << 8, or FAIL). */
function buildTable(tree, states) {
  const table = new Array(256 * 16);
  states.internal.forEach((node, s) => {
    for (let nib = 0; nib < 16; nib++) {
      let n = node, emitted = -1, failed = false;
      for (let i = 3; i >= 0 && !failed; i--) {
        n = tree.child[n][(nib >>> i) & 1];
        if (tree.sym[n] >= 0) {
          if (tree.sym[n] === EOS) failed = true;
          else { if (emitted >= 0) fail("two symbols in one nibble"); emitted = tree.sym[n]; n = 0; }
        }
      }
      let v;
      if (failed) v = FAIL;
      else {
        const next = states.id.get(n);
        if ((emitted >= 0) !== (next < EMIT_BELOW)) fail(`state ${s} nibble ${nib}: emit flag does not match the target id`);
        v = next | (emitted >= 0 ? emitted << 8 : 0);
        if (v === FAIL) fail("a transition collides with FAIL");
      }
      table[s * 16 + nib] = v;
    }
  });
  return table;
}

/** Decodes with the table exactly as assembly/http/hpack.ts does; null on an error. */
function decodeWithTable(table, bytes) {
  let s = 0;
  const out = [];
  for (const b of bytes) {
    for (const nib of [b >>> 4, b & 15]) {
      const v = table[s * 16 + nib];
      if (v === FAIL) return null;
      s = v & 0xff;
      if (s < EMIT_BELOW) out.push(v >>> 8);
    }
  }
  return accepts(s) ? out : null;
}

function encode(codes, syms, padBits = null) {
  let acc = 0n, nbits = 0;
  for (const x of syms) { const [c, l] = codes[x]; acc = (acc << BigInt(l)) | BigInt(c); nbits += l; }
  let pad = (8 - (nbits % 8)) % 8;
  if (padBits !== null) pad = padBits;
  acc = (acc << BigInt(pad)) | ((1n << BigInt(pad)) - 1n);
  nbits += pad;
  const out = [];
  for (let i = nbits - 8; i >= 0; i -= 8) out.push(Number((acc >> BigInt(i)) & 0xffn));
  return out;
}

/** Round trips every symbol and random strings; checks the padding and EOS rules. */
function selfTest(codes, table) {
  let seed = 12345;
  const rnd = (n) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
  const cases = [[...Array(256).keys()]];
  for (let i = 0; i < 2000; i++) cases.push(Array.from({ length: rnd(40) }, () => rnd(256)));
  for (const syms of cases) {
    const got = decodeWithTable(table, encode(codes, syms));
    if (got === null || got.join() !== syms.join()) fail(`round trip failed for [${syms}]`);
  }
  // "www.example.com", RFC 7541 C.4.1.
  const www = decodeWithTable(table, [0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xff]);
  if (String.fromCharCode(...www) !== "www.example.com") fail("C.4.1 string does not decode");
  if (decodeWithTable(table, [0xff]) !== null) fail("8 bits of padding accepted");
  if (decodeWithTable(table, [0x07])?.join() !== "48") fail("'0' + 3 bits of padding rejected");
  if (decodeWithTable(table, [0x00]) !== null) fail("zero padding accepted");
  if (decodeWithTable(table, [0xff, 0xff, 0xff, 0xfc]) !== null) fail("EOS accepted");
}

function render(table) {
  const rows = [];
  for (let s = 0; s < 256; s++) {
    const row = table.slice(s * 16, s * 16 + 16).map((v) => "0x" + v.toString(16).padStart(4, "0"));
    rows.push(`  ${row.join(", ")}, // ${s}`);
  }
  return `// GENERATED by scripts/gen-huffman.mjs; do not edit.
// HPACK Huffman decoding table (RFC 7541 §5.2, code of Appendix B), read 4 bits at a time.
// A state is an internal node of the code tree: the bits of the current code read so far (256
// states, 0 = root). HUFF_DECODE[state * 16 + nibble] is a u16: the next state in the low byte,
// the decoded symbol in the high byte. A transition has emitted a symbol exactly when its next
// state is below HUFF_EMIT_BELOW (the states within 3 bits of the root: after a symbol fewer
// than 4 bits of the nibble are left). HUFF_FAIL marks the nibbles that complete EOS, which a
// string must not contain (§5.2). A string may end only in a state that huffAccepts: at most 7
// bits since the last symbol, all ones (padding with the most significant bits of EOS, §5.2).

/** States of the decoder (internal nodes of the Appendix B code tree). */
export const HUFF_STATES: i32 = 256;
/** A transition into a state below this id has just emitted the symbol in its high byte. */
export const HUFF_EMIT_BELOW: u32 = ${EMIT_BELOW};
/** Transition value of a nibble that completes EOS: a decoding error (§5.2). */
export const HUFF_FAIL: u32 = 0x${FAIL.toString(16)};

/** Whether a string may end in state s: the bits since the last symbol are 0..7 ones (§5.2). */
@inline export function huffAccepts(s: u32): bool { return s < 4 || s - 15 < 4; }

/** Transitions: u16 at HUFF_DECODE + ((state << 4 | nibble) << 1); 256 * 16 entries, 8 KiB. */
export const HUFF_DECODE: usize = memory.data<u16>([
${rows.join("\n")}
]);
`;
}

function main() {
  const codes = canonicalCodes();
  const tree = buildTree(codes);
  const states = numberStates(tree);
  const table = buildTable(tree, states);
  selfTest(codes, table);
  const text = render(table);

  if (process.argv.includes("--check")) {
    if (!existsSync(OUT) || readFileSync(OUT, "utf8") !== text) fail("assembly/http/huffman.ts is out of date: run node scripts/gen-huffman.mjs");
    console.log("gen-huffman: assembly/http/huffman.ts is up to date");
  } else {
    writeFileSync(OUT, text);
    console.log("gen-huffman: wrote assembly/http/huffman.ts (256 states, 8192 bytes)");
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try { main(); } catch (e) { console.error(e.message); process.exit(1); }
}
