import {
  HpackTable, HpackErr, HpackFlag, hpackDecode, hpackDecodeInt, hpackIntLen, hpackOutLen, hpackFieldCount,
} from "../../../assembly/http/hpack";

// Every example of RFC 7541 Appendix C, then what a passive decoder meets: captures that start
// mid-connection, a byte store smaller than the table, errors, small outputs, random bytes.

const OUT_CAP = 1 << 16;
const GUARD = 64;
const out = heap.alloc(OUT_CAP + GUARD);
const scratch = heap.alloc(OUT_CAP);

/** One output field as "name: value", prefixed by "[flags] " when it has flags. */
function field(p: usize): string {
  const flags = <i32>load<u8>(p);
  const n = <i32>load<u16>(p, 2);
  const v = <i32>load<u32>(p, 4);
  const s = String.UTF8.decodeUnsafe(p + 8, n) + ": " + String.UTF8.decodeUnsafe(p + 8 + n, v);
  return flags != 0 ? "[" + flags.toString() + "] " + s : s;
}

/** The fields in buf[0, len) as lines. */
function fields(buf: usize, len: i32): string {
  let s = "";
  let o = 0;
  while (o < len) {
    const p = buf + <usize>o;
    if (o > 0) s += "\n";
    s += field(p);
    o += 8 + <i32>load<u16>(p, 2) + <i32>load<u32>(p, 4);
  }
  return s;
}

function dec(t: HpackTable, hex: string, cap: i32 = OUT_CAP): i32 {
  return hpackDecode(t, hexBytes(hex), hexLen(hex), out, cap);
}

/** Decodes a block that must succeed; returns its fields as lines. */
function decoded(t: HpackTable, hex: string): string {
  const n = dec(t, hex);
  expect(n).toBeGreaterThanOrEqual(0);
  expect(hpackOutLen).toBe(n);
  return fields(out, n);
}

/** The dynamic table, newest first, as lines (entries without bytes read "[1] : "). */
function table(t: HpackTable): string {
  let s = "";
  for (let i = 1; i <= t.count; i++) {
    const n = t.entry(i, scratch, OUT_CAP);
    expect(n).toBeGreaterThan(0);
    if (i > 1) s += "\n";
    s += field(scratch);
  }
  return s;
}

function sizes(t: HpackTable): string {
  let s = "";
  for (let i = 1; i <= t.count; i++) s += (i > 1 ? " " : "") + t.entrySize(i).toString();
  return s;
}

const C31 = "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d";
const C32 = "8286 84be 5808 6e6f 2d63 6163 6865";
const C33 = "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65";
const C41 = "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff";
const C42 = "8286 84be 5886 a8eb 1064 9cbf";
const C43 = "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf";
const C51 = "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133" +
  "2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d";
const C52 = "4803 3330 37c1 c0bf";
const C53 = "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d" +
  "54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049" +
  "5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31";
const C61 = "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6" +
  "2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3";
const C62 = "4883 640e ffc1 c0bf";
const C63 = "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab" +
  "77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f" +
  "9587 3160 65c0 03ed 4ee5 b106 3d50 07";

const REQ1 = ":method: GET\n:scheme: http\n:path: /\n:authority: www.example.com";
const REQ2 = REQ1 + "\ncache-control: no-cache";
const REQ3 = ":method: GET\n:scheme: https\n:path: /index.html\n:authority: www.example.com\ncustom-key: custom-value";
const RES1 = ":status: 302\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\nlocation: https://www.example.com";
const RES2 = ":status: 307\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:21 GMT\nlocation: https://www.example.com";
const COOKIE = "set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const RES3 = ":status: 200\ncache-control: private\ndate: Mon, 21 Oct 2013 20:13:22 GMT\n" +
  "location: https://www.example.com\ncontent-encoding: gzip\n" + COOKIE;

// RFC 7541 Appendix A, typed out again independently of assembly/http/hpack.ts.
const STATIC_TABLE = ":authority: \n:method: GET\n:method: POST\n:path: /\n:path: /index.html\n:scheme: http\n" +
  ":scheme: https\n:status: 200\n:status: 204\n:status: 206\n:status: 304\n:status: 400\n:status: 404\n" +
  ":status: 500\naccept-charset: \naccept-encoding: gzip, deflate\naccept-language: \naccept-ranges: \n" +
  "accept: \naccess-control-allow-origin: \nage: \nallow: \nauthorization: \ncache-control: \n" +
  "content-disposition: \ncontent-encoding: \ncontent-language: \ncontent-length: \ncontent-location: \n" +
  "content-range: \ncontent-type: \ncookie: \ndate: \netag: \nexpect: \nexpires: \nfrom: \nhost: \n" +
  "if-match: \nif-modified-since: \nif-none-match: \nif-range: \nif-unmodified-since: \nlast-modified: \n" +
  "link: \nlocation: \nmax-forwards: \nproxy-authenticate: \nproxy-authorization: \nrange: \nreferer: \n" +
  "refresh: \nretry-after: \nserver: \nset-cookie: \nstrict-transport-security: \ntransfer-encoding: \n" +
  "user-agent: \nvary: \nvia: \nwww-authenticate: ";

function checkRequests(t: HpackTable, b1: string, b2: string, b3: string): void {
  expect(decoded(t, b1)).toBe(REQ1);
  expect(table(t)).toBe(":authority: www.example.com");
  expect(sizes(t)).toBe("57");
  expect(t.size).toBe(57);
  expect(decoded(t, b2)).toBe(REQ2);
  expect(table(t)).toBe("cache-control: no-cache\n:authority: www.example.com");
  expect(sizes(t)).toBe("53 57");
  expect(t.size).toBe(110);
  expect(decoded(t, b3)).toBe(REQ3);
  expect(table(t)).toBe("custom-key: custom-value\ncache-control: no-cache\n:authority: www.example.com");
  expect(sizes(t)).toBe("54 53 57");
  expect(t.size).toBe(164);
}

function checkResponses(t: HpackTable, b1: string, b2: string, b3: string): void {
  t.setMaxSize(256); // SETTINGS_HEADER_TABLE_SIZE = 256 in C.5 / C.6
  expect(decoded(t, b1)).toBe(RES1);
  expect(table(t)).toBe("location: https://www.example.com\ndate: Mon, 21 Oct 2013 20:13:21 GMT\n" +
    "cache-control: private\n:status: 302");
  expect(sizes(t)).toBe("63 65 52 42");
  expect(t.size).toBe(222);
  expect(decoded(t, b2)).toBe(RES2);
  expect(table(t)).toBe(":status: 307\nlocation: https://www.example.com\n" +
    "date: Mon, 21 Oct 2013 20:13:21 GMT\ncache-control: private");
  expect(sizes(t)).toBe("42 63 65 52");
  expect(t.size).toBe(222);
  expect(decoded(t, b3)).toBe(RES3);
  expect(table(t)).toBe(COOKIE + "\ncontent-encoding: gzip\ndate: Mon, 21 Oct 2013 20:13:22 GMT");
  expect(sizes(t)).toBe("98 52 65");
  expect(t.size).toBe(215);
}

describe("http/hpack RFC 7541 Appendix C", () => {
  it("C.1 integers", () => {
    expect(hpackDecodeInt(hexBytes("0a"), 1, 5)).toBe(10);
    expect(hpackIntLen).toBe(1);
    expect(hpackDecodeInt(hexBytes("ea"), 1, 5)).toBe(10); // bits above the prefix are ignored
    expect(hpackDecodeInt(hexBytes("1f9a0a"), 3, 5)).toBe(1337);
    expect(hpackIntLen).toBe(3);
    expect(hpackDecodeInt(hexBytes("2a"), 1, 8)).toBe(42);
  });
  it("C.1 integer limits: 2^31 - 1, overflow, padding, truncation", () => {
    expect(hpackDecodeInt(hexBytes("ff80feffff07"), 6, 8)).toBe(I32.MAX_VALUE);
    expect(hpackIntLen).toBe(6);
    expect(hpackDecodeInt(hexBytes("ff81feffff07"), 6, 8)).toBe(HpackErr.INTEGER_OVERFLOW);
    expect(hpackDecodeInt(hexBytes("1f8080808000"), 6, 5)).toBe(31); // 5 continuation bytes: accepted
    expect(hpackDecodeInt(hexBytes("1f808080808000"), 7, 5)).toBe(HpackErr.INTEGER_OVERFLOW);
    expect(hpackDecodeInt(hexBytes("1f9a"), 2, 5)).toBe(HpackErr.TRUNCATED);
    expect(hpackDecodeInt(hexBytes("1f"), 0, 5)).toBe(HpackErr.TRUNCATED);
  });
  it("Appendix A: all 61 static entries, and 62 is the first dynamic index", () => {
    const t = new HpackTable(16384);
    let h = "";
    for (let i = 1; i <= 62; i++) h += (0x80 | i).toString(16);
    expect(decoded(t, h)).toBe(STATIC_TABLE + "\n[1] : ");
  });
  it("C.2.1 literal with incremental indexing", () => {
    const t = new HpackTable(16384);
    expect(decoded(t, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")).toBe("custom-key: custom-header");
    expect(table(t)).toBe("custom-key: custom-header");
    expect(t.size).toBe(55);
  });
  it("C.2.2 literal without indexing", () => {
    const t = new HpackTable(16384);
    expect(decoded(t, "040c 2f73 616d 706c 652f 7061 7468")).toBe(":path: /sample/path");
    expect(t.count).toBe(0);
  });
  it("C.2.3 literal never indexed", () => {
    const t = new HpackTable(16384);
    expect(decoded(t, "1008 7061 7373 776f 7264 0673 6563 7265 74")).toBe("[2] password: secret");
    expect(t.count).toBe(0);
  });
  it("C.2.4 indexed field", () => {
    const t = new HpackTable(16384);
    expect(decoded(t, "82")).toBe(":method: GET");
    expect(t.count).toBe(0);
    expect(t.used).toBe(true);
  });
  it("C.3 requests without Huffman on one table", () => {
    checkRequests(new HpackTable(16384), C31, C32, C33);
  });
  it("C.4 requests with Huffman on one table", () => {
    checkRequests(new HpackTable(16384), C41, C42, C43);
  });
  it("C.5 responses without Huffman, 256-byte table (evictions)", () => {
    checkResponses(new HpackTable(16384), C51, C52, C53);
  });
  it("C.6 responses with Huffman, 256-byte table (evictions)", () => {
    checkResponses(new HpackTable(16384), C61, C62, C63);
  });
  it("reset() makes a table reusable for the next connection", () => {
    const t = new HpackTable(16384);
    checkResponses(t, C61, C62, C63);
    t.reset();
    expect(t.used).toBe(false);
    expect(t.count).toBe(0);
    expect(t.maxSize).toBe(4096);
    checkRequests(t, C41, C42, C43);
  });
});

describe("http/hpack passive decoding", () => {
  it("reports a reference to an entry it never had as UNKNOWN and decodes the rest", () => {
    const t = new HpackTable(16384);
    expect(decoded(t, "82 be 84")).toBe(":method: GET\n[1] : \n:path: /");
    expect(hpackFieldCount).toBe(3);
  });
  it("joins a connection late: C.3.2 then C.3.3 on a fresh table", () => {
    const t = new HpackTable(16384);
    expect(decoded(t, C32)).toBe(":method: GET\n:scheme: http\n:path: /\n[1] : \ncache-control: no-cache");
    expect(table(t)).toBe("cache-control: no-cache");
    // bf (index 63) is the :authority entry added before the capture started.
    expect(decoded(t, C33)).toBe(":method: GET\n:scheme: https\n:path: /index.html\n[1] : \ncustom-key: custom-value");
    expect(table(t)).toBe("custom-key: custom-value\ncache-control: no-cache");
    expect(decoded(t, "be bf c0")).toBe("custom-key: custom-value\ncache-control: no-cache\n[1] : ");
  });
  it("adds an entry for a literal whose indexed name is unknown, keeping later indices aligned", () => {
    const t = new HpackTable(16384);
    // 7e: incremental indexing, name index 62 (unknown), value "abc".
    expect(decoded(t, "7e 03 616263")).toBe("[1] : abc");
    expect(t.count).toBe(1);
    expect(t.size).toBe(35); // unknown name counted as empty
    expect(decoded(t, "be")).toBe("[1] : abc");
    expect(decoded(t, "40 01 78 01 79 be bf")).toBe("x: y\nx: y\n[1] : abc");
    // Never indexed (0001, 4-bit prefix: 1f 31 = 15 + 49 = index 64), name beyond the 2 entries.
    expect(decoded(t, "1f 31 01 7a")).toBe("[3] : z");
    expect(t.count).toBe(2);
  });
  it("a 64-byte byte store still decodes C.3; a 40-byte one reports evicted references as UNKNOWN", () => {
    const t = new HpackTable(64);
    checkRequestsTail(t);
    const u = new HpackTable(40);
    expect(decoded(u, C31)).toBe(REQ1);
    expect(decoded(u, C32)).toBe(REQ2);
    // cache-control: no-cache (21 bytes) pushed :authority (25 bytes) out of the 40-byte store.
    expect(table(u)).toBe("cache-control: no-cache\n[1] : ");
    expect(u.size).toBe(110); // the logical table still counts it
    expect(decoded(u, C33)).toBe(":method: GET\n:scheme: https\n:path: /index.html\n[1] : \ncustom-key: custom-value");
    expect(table(u)).toBe("custom-key: custom-value\n[1] : \n[1] : ");
    expect(u.size).toBe(164);
  });
  it("a 64-byte byte store with C.5: physically evicted references become UNKNOWN, the rest stays exact", () => {
    const t = new HpackTable(64);
    t.setMaxSize(256);
    expect(decoded(t, C51)).toBe(RES1);
    expect(table(t)).toBe("location: https://www.example.com\ndate: Mon, 21 Oct 2013 20:13:21 GMT\n[1] : \n[1] : ");
    expect(decoded(t, C52)).toBe(":status: 307\n[1] : \n[1] : \nlocation: https://www.example.com");
    expect(t.size).toBe(222);
    expect(sizes(t)).toBe("42 63 65 52");
    // The new date entry (33 bytes) pushes location out of the store before c0 refers to it.
    expect(decoded(t, C53)).toBe(":status: 200\n[1] : \ndate: Mon, 21 Oct 2013 20:13:22 GMT\n" +
      "[1] : \ncontent-encoding: gzip\n" + COOKIE);
    // set-cookie (66 bytes) does not fit 64 bytes at all: nothing older is held either.
    expect(table(t)).toBe("[1] : \n[1] : \n[1] : ");
    expect(sizes(t)).toBe("98 52 65");
    expect(decoded(t, "be bf c0 5a 02 6272 be bf")).toBe("[1] : \n[1] : \n[1] : \ncontent-encoding: br\ncontent-encoding: br\n[1] : ");
  });
  it("a table with no byte store keeps counting entries", () => {
    const t = new HpackTable(0);
    expect(decoded(t, C31)).toBe(REQ1);
    expect(decoded(t, C32)).toBe(":method: GET\n:scheme: http\n:path: /\n[1] : \ncache-control: no-cache");
    expect(t.count).toBe(2);
    expect(t.held).toBe(0);
  });
});

// C.3 on a 64-byte store: everything referenced is still held; the oldest entry loses its bytes last.
function checkRequestsTail(t: HpackTable): void {
  expect(decoded(t, C31)).toBe(REQ1);
  expect(decoded(t, C32)).toBe(REQ2);
  expect(decoded(t, C33)).toBe(REQ3);
  expect(table(t)).toBe("custom-key: custom-value\ncache-control: no-cache\n[1] : ");
  expect(t.size).toBe(164);
  expect(t.count).toBe(3);
  expect(t.held).toBe(2);
}

describe("http/hpack size updates", () => {
  it("accepts size updates at the start of a block and evicts", () => {
    const t = new HpackTable(16384);
    expect(decoded(t, C31)).toBe(REQ1);
    expect(decoded(t, "20 3fe11f 82")).toBe(":method: GET"); // to 0 (evicts all), then to 4096
    expect(t.count).toBe(0);
    expect(t.maxSize).toBe(4096);
    expect(decoded(t, "3fe1ff3f")).toBe(""); // 2^20 is accepted
    expect(t.maxSize).toBe(1 << 20);
  });
  it("rejects a size update after a field, keeping the field", () => {
    const t = new HpackTable(16384);
    expect(dec(t, "82 3fe11f 84")).toBe(HpackErr.SIZE_UPDATE_NOT_AT_START);
    expect(hpackFieldCount).toBe(1);
    expect(hpackOutLen).toBe(8 + 10);
    expect(fields(out, hpackOutLen)).toBe(":method: GET");
  });
  it("rejects a size update above 2^20", () => {
    const t = new HpackTable(16384);
    expect(dec(t, "3fe2ff3f")).toBe(HpackErr.SIZE_UPDATE_TOO_LARGE);
  });
  it("an entry larger than the table empties it (§4.4)", () => {
    const t = new HpackTable(16384);
    t.setMaxSize(55);
    expect(decoded(t, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572")).toBe("custom-key: custom-header");
    expect(t.count).toBe(1);
    expect(decoded(t, "400a 6375 7374 6f6d 2d6b 6579 0e63 7573 746f 6d2d 6865 6164 6572 73")).toBe("custom-key: custom-headers");
    expect(t.count).toBe(0);
    expect(t.size).toBe(0);
  });
});

describe("http/hpack errors", () => {
  it("index 0 and impossible indices", () => {
    const t = new HpackTable(16384);
    expect(dec(t, "82 80")).toBe(HpackErr.BAD_INDEX_ZERO);
    expect(hpackFieldCount).toBe(1);
    expect(decoded(t, "ffbeff01")).toBe("[1] : "); // 61 + 2^15: could exist
    expect(dec(t, "ffbfff01")).toBe(HpackErr.BAD_INDEX);
  });
  it("truncated integer or string: TRUNCATED, earlier fields kept, table forgotten", () => {
    const t = new HpackTable(16384);
    expect(decoded(t, C31)).toBe(REQ1);
    expect(dec(t, "82 be ff")).toBe(HpackErr.TRUNCATED);
    expect(fields(out, hpackOutLen)).toBe(":method: GET\n:authority: www.example.com");
    expect(hpackFieldCount).toBe(2);
    expect(t.count).toBe(0); // later insertions of the block are lost: older entries become UNKNOWN
    expect(decoded(t, "be")).toBe("[1] : ");
    expect(dec(t, "82 41 0f 7777")).toBe(HpackErr.TRUNCATED);
    expect(hpackFieldCount).toBe(1);
    expect(dec(t, "82 41")).toBe(HpackErr.TRUNCATED);
    expect(dec(t, "82 40 01 78")).toBe(HpackErr.TRUNCATED);
    expect(dec(t, "82 40 8f")).toBe(HpackErr.TRUNCATED);
    expect(hpackFieldCount).toBe(1);
  });
  it("bad Huffman: field flagged, symbols before the error kept, block continues", () => {
    const t = new HpackTable(16384);
    // '0' then 3 zero bits of padding (must be ones).
    expect(decoded(t, "04 81 00 82")).toBe("[4] :path: 0\n:method: GET");
    // '0' then 11 bits of ones: padding longer than 7 bits.
    expect(decoded(t, "04 82 07ff 82")).toBe("[4] :path: 0\n:method: GET");
    // 'a' then EOS (30 ones).
    expect(decoded(t, "04 85 1fff ffff ff 86")).toBe("[4] :path: a\n:scheme: http");
    // Bad name, with indexing: the entry keeps the flag.
    expect(decoded(t, "40 81 00 01 79")).toBe("[4] 0: y");
    expect(decoded(t, "be")).toBe("[4] 0: y");
    // Valid: '0' and 3 one bits.
    expect(decoded(t, "04 81 07")).toBe(":path: 0");
  });
  it("more than 512 fields is TOO_MANY_FIELDS", () => {
    const t = new HpackTable(16384);
    let h = "";
    for (let i = 0; i < 512; i++) h += "82";
    expect(dec(t, h)).toBe(512 * 18);
    expect(dec(t, h + "82")).toBe(HpackErr.TOO_MANY_FIELDS);
    expect(hpackFieldCount).toBe(512);
    expect(hpackOutLen).toBe(512 * 18);
  });
  it("a literal name longer than 65535 bytes is NAME_TOO_LONG", () => {
    const t = new HpackTable(16384);
    // 00: literal without indexing, literal name; 7f 81 ff 03: length 127 + 65409 = 65536.
    const p = heap.alloc(5 + 65536 + 1);
    memory.fill(p + 5, 0x61, 65536 + 1);
    store<u8>(p, 0x00); store<u8>(p, 0x7f, 1); store<u8>(p, 0x81, 2); store<u8>(p, 0xff, 3); store<u8>(p, 0x03, 4);
    const big = heap.alloc(70000);
    expect(hpackDecode(t, p, 5 + 65536, big, 70000)).toBe(HpackErr.NAME_TOO_LONG);
    // 7f 80 ff 03: 65535 bytes is fine (then an empty value).
    store<u8>(p, 0x80, 2);
    store<u8>(p + 5 + 65535, 0x00);
    expect(hpackDecode(t, p, 5 + 65535 + 1, big, 70000)).toBe(8 + 65535);
    expect(<i32>load<u16>(big, 2)).toBe(65535);
  });
  it("stops with OUTPUT_FULL at every too-small capacity and never writes past it", () => {
    const blocks: string[] = [C31, C41, C61, C53];
    const t = new HpackTable(16384);
    const u = new HpackTable(16384);
    for (let b = 0; b < blocks.length; b++) {
      t.reset();
      t.setMaxSize(256);
      const full = dec(t, blocks[b]);
      expect(full).toBeGreaterThan(0);
      for (let cap = 0; cap < full; cap++) {
        u.reset();
        u.setMaxSize(256);
        memory.fill(out, 0xaa, OUT_CAP + GUARD);
        expect(dec(u, blocks[b], cap)).toBe(HpackErr.OUTPUT_FULL);
        expect(hpackOutLen).toBeLessThanOrEqual(cap);
        let dirty = 0;
        for (let i = cap; i < OUT_CAP + GUARD; i++) if (load<u8>(out + <usize>i) != 0xaa) dirty++;
        expect(dirty).toBe(0);
      }
      u.reset();
      u.setMaxSize(256);
      expect(dec(u, blocks[b], full)).toBe(full);
    }
  });
  it("entry() checks its index and capacity", () => {
    const t = new HpackTable(16384);
    expect(decoded(t, C31)).toBe(REQ1);
    expect(t.entry(0, scratch, 100)).toBe(HpackErr.BAD_INDEX);
    expect(t.entry(2, scratch, 100)).toBe(HpackErr.BAD_INDEX);
    expect(t.entry(1, scratch, 7)).toBe(HpackErr.OUTPUT_FULL);
    expect(t.entry(1, scratch, 32)).toBe(HpackErr.OUTPUT_FULL);
    expect(t.entry(1, scratch, 33)).toBe(33);
  });
});

describe("http/hpack random input", () => {
  it("never traps, never writes past outCap, keeps the table consistent", () => {
    let seed: u32 = 2024;
    const big = new HpackTable(16384);
    const tiny = new HpackTable(64);
    const input = heap.alloc(256);
    let ok = 0, errors = 0, overruns = 0, broken = 0, unknown = 0;
    for (let round = 0; round < 6000; round++) {
      seed = seed * 1664525 + 1013904223;
      const len = <i32>((seed >> 8) % 160);
      for (let i = 0; i < len; i++) {
        seed = seed * 1664525 + 1013904223;
        let b = <u8>(seed >> 24);
        // Half of the blocks favour small indices and short strings, so that decoding gets deep.
        if ((round & 1) == 0 && (seed & 0x300) != 0) b = <u8>((b & 0xc0) | (b & 0x0f));
        store<u8>(input + <usize>i, b);
      }
      seed = seed * 1664525 + 1013904223;
      const cap = <i32>((seed >> 8) % 600);
      const t = (round & 2) != 0 ? tiny : big;
      if ((round % 97) == 0) t.reset();
      memory.fill(out + <usize>cap, 0xaa, GUARD);
      const r = hpackDecode(t, input, len, out, cap);
      if (r >= 0) { ok++; if (r > cap) overruns++; } else errors++;
      if (hpackOutLen > cap) overruns++;
      for (let i = 0; i < GUARD; i++) if (load<u8>(out + <usize>(cap + i)) != 0xaa) { overruns++; break; }
      if (t.held > t.count || t.held < 0 || t.size < 0 || t.size > t.maxSize || t.bytesUsed > t.byteCap || t.bytesUsed < 0) broken++;
      // Walk the output: it must parse into exactly hpackFieldCount fields.
      let o = 0, n = 0;
      while (o < hpackOutLen) {
        if (load<u8>(out + <usize>o) & HpackFlag.UNKNOWN) unknown++;
        o += 8 + <i32>load<u16>(out + <usize>o, 2) + <i32>load<u32>(out + <usize>o, 4);
        n++;
      }
      if (o != hpackOutLen || n != hpackFieldCount) broken++;
    }
    expect(overruns).toBe(0);
    expect(broken).toBe(0);
    expect(ok).toBeGreaterThan(100);
    expect(errors).toBeGreaterThan(100);
    expect(unknown).toBeGreaterThan(0);
  });
});
