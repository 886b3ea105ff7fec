import { Ipv4Repr, parseIpv4, isFragment } from "../../../assembly/wire/ipv4";
import { WireErr } from "../../../assembly/wire/errors";

const r = new Ipv4Repr();
function parse(h: string): WireErr { return parseIpv4(hexBytes(h), hexLen(h), r); }

describe("wire/ipv4", () => {
  it("deconstructs a header", () => {
    expect(parse("45 00 0018 d431 4000 40 06 1234 0a000001 0a000002 aabbccdd")).toBe(WireErr.OK);
    expect(r.ihl).toBe(5); expect(r.totalLen).toBe(24); expect(r.id).toBe(54321); expect(r.flags).toBe(2);
    expect(r.ttl).toBe(64); expect(r.proto).toBe(6); expect(r.xsum).toBe(0x1234); expect(r.payloadLen).toBe(4);
    expect(isFragment(r)).toBe(false);
  });
  it("excludes link-layer padding beyond the total length", () => {
    expect(parse("45 00 0014 0000 0000 40 06 0000 0a000001 0a000002 0000000000")).toBe(WireErr.OK);
    expect(r.payloadLen).toBe(0);
  });
  it("treats a total length of 0 as the captured length (TSO)", () => {
    expect(parse("45 00 0000 0000 0000 40 06 0000 0a000001 0a000002 01020304")).toBe(WireErr.OK);
    expect(r.payloadLen).toBe(4);
  });
  it("marks a total length beyond the capture as truncated", () => {
    expect(parse("45 00 0100 0000 0000 40 06 0000 0a000001 0a000002 01")).toBe(WireErr.OK);
    expect(r.truncated).toBe(true); expect(r.payloadLen).toBe(1);
  });
  it("spans options", () => {
    expect(parse("46 00 0018 0000 0000 40 06 0000 0a000001 0a000002 01 01 00 00")).toBe(WireErr.OK);
    expect(r.optsLen).toBe(4);
  });
  it("flags fragments", () => {
    parse("45 00 0014 0000 2000 40 11 0000 0a000001 0a000002"); expect(isFragment(r)).toBe(true);
    parse("45 00 0014 0000 00b9 40 11 0000 0a000001 0a000002"); expect(isFragment(r)).toBe(true); expect(r.fragOff).toBe(185);
    parse("45 00 0014 0000 8000 40 11 0000 0a000001 0a000002"); expect(r.flags).toBe(4);
  });
  it("rejects bad versions, header lengths and total lengths", () => {
    expect(parse("65 00 0014 0000 0000 40 06 0000 0a000001 0a000002")).toBe(WireErr.BAD_VERSION);
    expect(parse("44 00 0014 0000 0000 40 06 0000 0a000001 0a000002")).toBe(WireErr.BAD_HEADER_LENGTH);
    expect(parse("46 00 0014 0000 0000 40 06 0000 0a000001 0a000002")).toBe(WireErr.TRUNCATED);
    expect(parse("45 00 0010 0000 0000 40 06 0000 0a000001 0a000002")).toBe(WireErr.BAD_TOTAL_LENGTH);
    expect(parse("45 00 00")).toBe(WireErr.TRUNCATED);
  });
});
