// bench/hpack.js, the benchmark generator's HPACK encoder, against RFC 7541 Appendix C: its
// choices (static or dynamic index, literal with incremental indexing, name by index, Huffman
// when shorter) are the ones the RFC's examples make, so it must write their exact octets, and
// its dynamic table must hold what the RFC lists after each block (with evictions in C.5/C.6).
// bench/gen.test.ts checks its output against an independent decoder (tshark).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { HpackEncoder, STATIC_TABLE, huffmanEncode, huffmanLength } from '../../bench/hpack.js';

const hex = (s: string) => s.replace(/\s+/g, '');
const fields = (text: string) => text.split('\n').map((l) => { const i = l.indexOf(': ', 1); return [l.slice(0, i), l.slice(i + 2)]; });

const REQ1 = ':method: GET\n:scheme: http\n:path: /\n:authority: www.example.com';
const REQ2 = REQ1 + '\ncache-control: no-cache';
const REQ3 = ':method: GET\n:scheme: https\n:path: /index.html\n:authority: www.example.com\ncustom-key: custom-value';
const RES1 = ':status: 302\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\nlocation: https://www.example.com';
const RES2 = ':status: 307\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\nlocation: https://www.example.com';
const COOKIE = 'set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const RES3 = ':status: 200\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:22 GMT\n' +
  'location: https://www.example.com\ncontent-encoding: gzip\n' + COOKIE;

// The octets printed in RFC 7541 C.3 to C.6.
const C3 = ['8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d', '8286 84be 5808 6e6f 2d63 6163 6865',
  '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65'];
const C4 = ['8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', '8286 84be 5886 a8eb 1064 9cbf',
  '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'];
const C5 = ['4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133' +
  '2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
'4803 3330 37c1 c0bf',
'88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d' +
  '54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049' +
  '5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31'];
const C6 = ['4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6' +
  '2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
'4883 640e ffc1 c0bf',
'88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab' +
  '77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f' +
  '9587 3160 65c0 03ed 4ee5 b106 3d50 07'];

const tableText = (e: HpackEncoder) => e.entries.map(([n, v]: [string, string]) => `${n}: ${v}`).join('\n');

describe('bench/hpack.js against RFC 7541 Appendix C', () => {
  for (const [name, blocks, huffman] of [['C.3 requests without Huffman', C3, false], ['C.4 requests with Huffman', C4, true]] as const) {
    it(name, () => {
      const e = new HpackEncoder({ huffman });
      expect(e.encode(fields(REQ1)).toString('hex')).toBe(hex(blocks[0]));
      expect([tableText(e), e.size]).toEqual([':authority: www.example.com', 57]);
      expect(e.encode(fields(REQ2)).toString('hex')).toBe(hex(blocks[1]));
      expect([tableText(e), e.size]).toEqual(['cache-control: no-cache\n:authority: www.example.com', 110]);
      expect(e.encode(fields(REQ3)).toString('hex')).toBe(hex(blocks[2]));
      expect([tableText(e), e.size]).toEqual(['custom-key: custom-value\ncache-control: no-cache\n:authority: www.example.com', 164]);
    });
  }
  for (const [name, blocks, huffman] of [['C.5 responses without Huffman, 256-byte table', C5, false], ['C.6 responses with Huffman, 256-byte table', C6, true]] as const) {
    it(`${name}: evictions (§4.4)`, () => {
      const e = new HpackEncoder({ maxSize: 256, huffman });
      expect(e.encode(fields(RES1)).toString('hex')).toBe(hex(blocks[0]));
      expect([tableText(e), e.size]).toEqual(['location: https://www.example.com\ndate: Mon, 21 Oct 2013 20:13:21 GMT\ncache-control: private\n:status: 302', 222]);
      // The one tie of the examples: "307" is 3 octets raw and Huffman-coded. The RFC's example
      // codes it; Go's net/http2 and nghttp2 (and this encoder) code only when shorter.
      expect(e.encode(fields(RES2)).toString('hex')).toBe(hex(blocks[1]).replace('83640eff', '03333037'));
      expect([tableText(e), e.size]).toEqual([':status: 307\nlocation: https://www.example.com\ndate: Mon, 21 Oct 2013 20:13:21 GMT\ncache-control: private', 222]);
      expect(e.encode(fields(RES3)).toString('hex')).toBe(hex(blocks[2]));
      expect([tableText(e), e.size]).toEqual([COOKIE + '\ncontent-encoding: gzip\ndate: Mon, 21 Oct 2013 20:13:22 GMT', 215]);
      expect(e.stats.evicted).toBe(1 + 4);
    });
  }
});

describe('bench/hpack.js details', () => {
  it('has the static table of the core (assembly/http/hpack_static.ts), typed separately', () => {
    const src = readFileSync(new URL('../../assembly/http/hpack_static.ts', import.meta.url), 'utf8');
    const text = /const STATIC_TEXT = `([^`]*)`/.exec(src)![1]!;
    const core = text.split('\n').map((l) => { const i = l.indexOf(' '); return i < 0 ? [l, ''] : [l.slice(0, i), l.slice(i + 1)]; });
    expect(STATIC_TABLE).toEqual(core);
  });
  it('indexes static fields, then dynamic ones, and writes 2-octet indices past 126', () => {
    const e = new HpackEncoder();
    expect(e.encode([[':method', 'GET'], [':scheme', 'http'], [':status', '200'], [':path', '/']]).toString('hex')).toBe('82868884');
    for (let i = 0; i < 70; i++) e.encode([['x-n', String(i)]]);
    // The first x-n entry is now the 70th newest: dynamic index 61 + 70 = 131 = 127 + 4.
    expect(e.encode([['x-n', '0']]).toString('hex')).toBe('ff04');
  });
  it('sends a field larger than the table as a literal and empties the table', () => {
    const e = new HpackEncoder({ maxSize: 64, huffman: false });
    e.encode([['a', 'b']]);
    expect(e.size).toBe(34);
    const big = 'v'.repeat(40);
    // Literal with incremental indexing, the name by its dynamic index 62 (0x40 | 62 = 0x7e).
    expect(e.encode([['a', big]]).toString('hex')).toBe(`7e28${Buffer.from(big).toString('hex')}`);
    expect([e.entries.length, e.size]).toEqual([0, 0]);
  });
  it('Huffman-codes only when shorter, and pads with ones', () => {
    expect(huffmanEncode(Buffer.from('www.example.com')).toString('hex')).toBe('f1e3c2e5f23a6ba0ab90f4ff');
    expect(huffmanEncode(Buffer.from('0')).toString('hex')).toBe('07'); // 5 bits 00000 + 3 ones
    // '{' has a 15-bit code: raw is shorter, so the string goes out raw.
    expect(huffmanLength(Buffer.from('{'))).toBe(2);
    const e = new HpackEncoder();
    // Literal name (index 0): 'x' is 7 bits, one octet either way, so raw too.
    expect(e.encode([['x', '{']]).toString('hex')).toBe('40' + '0178' + '017b');
    expect(e.encode([['x', 'aaaa']]).toString('hex')).toBe('7e' + '83' + huffmanEncode(Buffer.from('aaaa')).toString('hex'));
  });
});
