import { UdpRepr, parseUdp } from "../../../assembly/wire/udp";
import { WireErr } from "../../../assembly/wire/errors";

const r = new UdpRepr();
function parse(h: string): WireErr { return parseUdp(hexBytes(h), hexLen(h), r); }

describe("wire/udp", () => {
  it("bounds the payload by the length field", () => {
    expect(parse("a112 0035 000a 15b3 abcd eeee")).toBe(WireErr.OK);
    expect(r.srcPort).toBe(41234); expect(r.dstPort).toBe(53); expect(r.length).toBe(10); expect(r.payloadLen).toBe(2);
  });
  it("treats length 0 as a jumbogram", () => {
    expect(parse("0001 0002 0000 0000 01020304")).toBe(WireErr.OK);
    expect(r.payloadLen).toBe(4);
  });
  it("marks a length beyond the capture as truncated", () => {
    expect(parse("0001 0002 0010 0000 01")).toBe(WireErr.OK);
    expect(r.truncated).toBe(true); expect(r.payloadLen).toBe(1);
  });
  it("rejects lengths below the header and short headers", () => {
    expect(parse("0001 0002 0004 0000")).toBe(WireErr.TOO_SMALL);
    expect(parse("0001 0002")).toBe(WireErr.TRUNCATED);
  });
});
