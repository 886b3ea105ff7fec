import { TraceRepr, parseTraceparent, parseCloudTrace } from "../../../assembly/trace/context";

const r = new TraceRepr();
function tp(s: string): bool { return parseTraceparent(utf8(s), String.UTF8.byteLength(s), r); }
function xc(s: string): bool { return parseCloudTrace(utf8(s), String.UTF8.byteLength(s), r); }
function id(): string { return String.UTF8.decodeUnsafe(r.traceBuf, r.traceLen); }

describe("trace/context traceparent (W3C Trace Context §3.2)", () => {
  it("parses a valid header", () => {
    expect(tp("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toBe(true);
    expect(id()).toBe("4bf92f3577b34da6a3ce929d0e0e4736"); expect(r.span).toBe(0x00f067aa0ba902b7); expect(r.sampled).toBe(true);
    expect(tp(" 00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00 ")).toBe(true);
    expect(id()).toBe("4bf92f3577b34da6a3ce929d0e0e4736"); expect(r.sampled).toBe(false);
  });
  it("accepts future versions with extra fields, rejects version ff and zero ids", () => {
    expect(tp("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")).toBe(true);
    expect(tp("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")).toBe(false);
    expect(tp("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toBe(false);
    expect(tp("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).toBe(false);
    expect(tp("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).toBe(false);
    expect(tp("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01")).toBe(false);
    expect(tp("garbage")).toBe(false);
  });
});

describe("trace/context X-Cloud-Trace-Context", () => {
  it("converts the decimal span to a 64-bit value and reads o=1", () => {
    expect(xc("105445aa7843bc8bf206b12000100000/1;o=1")).toBe(true);
    expect(id()).toBe("105445aa7843bc8bf206b12000100000"); expect(r.span).toBe(1); expect(r.sampled).toBe(true);
    expect(xc("105445aa7843bc8bf206b12000100000/18446744073709551615;o=0")).toBe(true);
    expect(r.span).toBe(u64.MAX_VALUE); expect(r.sampled).toBe(false);
  });
  it("keeps the trace without a span when the span is missing or not a u64", () => {
    expect(xc("105445aa7843bc8bf206b12000100000")).toBe(true); expect(r.hasSpan).toBe(false);
    expect(xc("105445aa7843bc8bf206b12000100000/18446744073709551616")).toBe(true); expect(r.hasSpan).toBe(false);
    expect(xc("105445aa7843bc8bf206b12000100000/12;foo")).toBe(true); expect(r.span).toBe(12);
  });
  it("rejects an empty or non-hex trace id", () => {
    expect(xc("/1;o=1")).toBe(false);
    expect(xc("xyz/1")).toBe(false);
    expect(xc("")).toBe(false);
  });
});

describe("trace/context X-Cloud-Trace-Context trace id length", () => {
  it("requires exactly 32 hex digits", () => {
    expect(xc("a1b2c3d400000001000100000000002/12;o=1")).toBe(false);
    expect(xc("a1b2c3d4000000010001000000000002a/12;o=1")).toBe(false);
    expect(xc("a1b2c3d4000000010001000000000002/12;o=1")).toBe(true);
  });
});
