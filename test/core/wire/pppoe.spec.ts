import { PppoeRepr, parsePppoe, PPPOE_HDR_LEN } from "../../../assembly/wire/pppoe";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new PppoeRepr();
function parse(h: string): WireErr { return parsePppoe(hexBytes(h), hexLen(h), r); }
function parseCut(h: string, n: i32): WireErr { return parsePppoe(atEnd(hexBytes(h), n), n, r); }
const IP4 = "45000014000040004001b9e60a0000010a000002";

describe("wire/pppoe", () => {
  it("decodes a session stage header", () => {
    // tshark 4.0 (text2pcap -e 0x8864): pppoe.version 1, type 1, code 0x00, session_id 0x0011, payload_length 22, then ppp.protocol 0x0021.
    expect(parse("1100 0011 0016 0021" + IP4)).toBe(WireErr.OK);
    expect(r.code).toBe(0); expect(r.session).toBe(17); expect(r.length).toBe(22);
    expect(r.payloadLen).toBe(22); expect(load<u16>(r.payload)).toBe(0x2100);
  });
  it("bounds the payload by its length (what follows is Ethernet padding)", () => {
    expect(parse("1100 0011 0002 0021 000000")).toBe(WireErr.OK); expect(r.payloadLen).toBe(2);
    expect(parse("1100 0011 0040 0021")).toBe(WireErr.OK); expect(r.payloadLen).toBe(2);
  });
  it("rejects other versions and types", () => {
    expect(parse("2100 0011 0002 0021")).toBe(WireErr.BAD_VERSION);
    expect(parse("1200 0011 0002 0021")).toBe(WireErr.BAD_VERSION);
  });
  it("is TRUNCATED below 6 bytes, without reading past them", () => {
    for (let n = 0; n < PPPOE_HDR_LEN; n++) expect(parseCut("1100 0011 0000", n)).toBe(WireErr.TRUNCATED);
    expect(parseCut("1100 0011 0000", 6)).toBe(WireErr.OK); expect(r.payloadLen).toBe(0);
  });
});
