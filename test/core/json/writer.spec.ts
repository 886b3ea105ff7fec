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
    W.pad9(999999999); expect(out()).toBe("999999999");
    W.pad9(100); expect(out()).toBe("000000100");
  });
  it("formats u32 exactly around every power of ten (division by 100 as a multiply)", () => {
    let p: u64 = 1;
    while (p <= 4294967295) {
      for (let d: i64 = -2; d <= 2; d++) {
        const v = <i64>p + d;
        if (v < 0 || v > 4294967295) continue;
        W.u32dec(<u32>v); expect(out()).toBe((<u32>v).toString());
      }
      p *= 10;
    }
  });
  it("writes hex bytes at every length, 8 at a time and the rest one by one", () => {
    const src = hexBytes("00 01 7f 80 9a bc de ff 10 20 30 40 50 60 70 80 90 a0 b0 c0");
    const want = "00017f809abcdeff102030405060708090a0b0c0";
    for (let n = 0; n <= 20; n++) { W.hexBytes(src, n); expect(out()).toBe(want.substr(0, n * 2)); }
  });
});

describe("json/writer TextCache", () => {
  it("gives back the text put under a key pair, and nothing for another pair", () => {
    const c = new W.TextCache(4, 32);
    expect(c.emit(1, 2)).toBe(false);
    const s = W.pos; W.str(hexBytes("61 62 63"), 3); c.put(1, 2, s); out();
    expect(c.emit(1, 2)).toBe(true); expect(out()).toBe("\"abc\"");
    expect(c.emit(1, 3)).toBe(false);
    expect(c.emit(2, 2)).toBe(false);
    c.clear();
    expect(c.emit(1, 2)).toBe(false);
  });
  it("does not cache a text longer than its slots", () => {
    const c = new W.TextCache(4, 4);
    const s = W.pos; W.str(hexBytes("61 62 63 64"), 4); c.put(9, 9, s); out();
    expect(c.emit(9, 9)).toBe(false);
  });
});

describe("json/writer strings (Go encoding/json escaping)", () => {
  it("passes plain ASCII through", () => { expect(esc("48 65 6c 6c 6f")).toBe("Hello"); });
  it("escapes the same at every string length and every position of the escaped byte (16-byte blocks)", () => {
    for (let n = 1; n <= 40; n++) {
      for (let at = -1; at < n; at++) {
        let h = "";
        let want = "";
        for (let i = 0; i < n; i++) {
          if (i == at) { h += "22"; want += "\\\""; } else { h += "61"; want += "a"; }
        }
        expect(esc(h)).toBe(want);
      }
    }
  });
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
