import * as W from "../../../assembly/json/writer";

function out(): string { const s = String.UTF8.decodeUnsafe(W.OUT_BASE, W.outLen()); W.outReset(); return s; }
function esc(h: string): string { W.strBody(hexBytes(h), hexLen(h)); return out(); }

describe("json/writer numbers", () => {
  it("formats u32 at every digit count", () => {
    const vals: u32[] = [0, 9, 10, 99, 100, 999, 1000, 65535, 99999, 100000, 1234567, 99999999, 100000000, 999999999, 1000000000, 4294967295];
    for (let i = 0; i < vals.length; i++) { W.u32dec(vals[i]); expect(out()).toBe(vals[i].toString()); }
  });
  it("formats u64 including the largest values", () => {
    const vals: u64[] = [0, 4294967295, 4294967296, 999999999999999999, 1000000000000000000, 12523862877769233555, 18446744073709551615];
    for (let i = 0; i < vals.length; i++) { W.u64dec(vals[i]); expect(out()).toBe(vals[i].toString()); }
  });
  it("formats i64 with a sign", () => {
    W.i64dec(-1); expect(out()).toBe("-1");
    W.i64dec(i64.MIN_VALUE); expect(out()).toBe("-9223372036854775808");
    W.i64dec(1700000000); expect(out()).toBe("1700000000");
  });
  it("formats hex and binary like Go strconv", () => {
    W.hex32(0); expect(out()).toBe("0");
    W.hex32(0x12); expect(out()).toBe("12");
    W.hex32(0xff); expect(out()).toBe("ff");
    W.hex32(0xdeadbeef); expect(out()).toBe("deadbeef");
    W.bin32(0); expect(out()).toBe("0");
    W.bin32(0x12); expect(out()).toBe("10010");
    W.bin32(0xff); expect(out()).toBe("11111111");
  });
  it("pads 9-digit fractions", () => {
    W.pad9(5000); expect(out()).toBe("000005000");
  });
});

describe("json/writer strings (Go encoding/json escaping)", () => {
  it("passes plain ASCII through", () => { expect(esc("48 65 6c 6c 6f")).toBe("Hello"); });
  it("escapes quote, backslash and the short control escapes", () => {
    expect(esc("22 5c 0a 0d 09 08 0c")).toBe("\\\"\\\\\\n\\r\\t\\b\\f");
  });
  it("escapes other control bytes as \\u00xx in lowercase", () => {
    expect(esc("00 01 1f")).toBe("\\u0000\\u0001\\u001f");
  });
  it("escapes the HTML-sensitive < > &", () => { expect(esc("3c 3e 26")).toBe("\\u003c\\u003e\\u0026"); });
  it("passes DEL and valid multi-byte UTF-8 raw", () => {
    expect(esc("7f c3 a9 e2 82 ac f0 9f 98 80")).toBe("\x7f\u00e9\u20ac\u{1F600}");
  });
  it("escapes U+2028 and U+2029", () => { expect(esc("e2 80 a8 e2 80 a9")).toBe("\\u2028\\u2029"); });
  it("replaces each invalid byte by \\ufffd (utf8.DecodeRune)", () => {
    expect(esc("c3")).toBe("\\ufffd");                        // truncated 2-byte sequence
    expect(esc("e2 82")).toBe("\\ufffd\\ufffd");              // truncated 3-byte sequence: each byte
    expect(esc("ed a0 80")).toBe("\\ufffd\\ufffd\\ufffd");    // surrogate
    expect(esc("f8")).toBe("\\ufffd");                        // never valid
    expect(esc("c0 af")).toBe("\\ufffd\\ufffd");              // overlong
    expect(esc("f4 90 80 80")).toBe("\\ufffd\\ufffd\\ufffd\\ufffd"); // above U+10FFFF
    expect(esc("41 80 42")).toBe("A\\ufffdB");                // stray continuation byte
  });
  it("str() adds quotes", () => { W.str(hexBytes("61"), 1); expect(out()).toBe("\"a\""); });
  it("strBound covers the worst case", () => {
    const p = hexBytes("00 c3 00 c3");
    const start = W.pos;
    W.str(p, 4);
    expect(<i32>(W.pos - start)).toBeLessThanOrEqual(W.strBound(4));
    W.outReset();
  });
});

describe("json/writer fragments", () => {
  it("writes a constant fragment", () => { W.w(W.frag("{\"a\":")); expect(out()).toBe("{\"a\":"); });
  it("rolls back a half-written value", () => {
    W.w(W.frag("keep")); const m = W.pos; W.w(W.frag("drop")); W.rollback(m);
    expect(out()).toBe("keep");
  });
});
