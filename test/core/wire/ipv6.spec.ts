import { Ipv6Repr, parseIpv6 } from "../../../assembly/wire/ipv6";
import { WireErr } from "../../../assembly/wire/errors";

const r = new Ipv6Repr();
function parse(h: string): WireErr { return parseIpv6(hexBytes(h), hexLen(h), r); }
const ADDRS = "20010db8000000000000000000000001 20010db8000000000000000000000002";

describe("wire/ipv6", () => {
  it("deconstructs the fixed header", () => {
    expect(parse("6 12 34567 0004 11 40 " + ADDRS + " 00350035")).toBe(WireErr.OK);
    expect(r.tclass).toBe(0x12); expect(r.flowLabel).toBe(0x34567); expect(r.payloadLen).toBe(4);
    expect(r.nextHeader).toBe(17); expect(r.proto).toBe(17); expect(r.hopLimit).toBe(64); expect(r.payloadCap).toBe(4);
  });
  it("walks hop-by-hop, routing and destination options to the transport", () => {
    const ext = "2b 00 0000 00000000" + "3c 00 0000 00000000" + "06 00 0100 00000000";
    expect(parse("60000000 001c 00 40 " + ADDRS + ext + "00010002")).toBe(WireErr.OK);
    expect(r.nextHeader).toBe(0); expect(r.proto).toBe(6); expect(r.extCount).toBe(3); expect(r.payloadCap).toBe(4);
  });
  it("stops at a Fragment header", () => {
    expect(parse("60000000 000c 2c 40 " + ADDRS + "11 00 0001 00000001 0000")).toBe(WireErr.OK);
    expect(r.fragment).toBe(true); expect(r.proto).toBe(17);
  });
  it("reports an extension header cut short", () => {
    expect(parse("60000000 0010 00 40 " + ADDRS + "06 02 0000 00000000")).toBe(WireErr.TRUNCATED);
  });
  it("rejects a wrong version and short headers", () => {
    expect(parse("40000000 0000 06 40 " + ADDRS)).toBe(WireErr.BAD_VERSION);
    expect(parse("60000000 0000 06 40")).toBe(WireErr.TRUNCATED);
  });
});
