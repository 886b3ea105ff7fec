import { PbbRepr, parsePbb, ITAG_LEN } from "../../../assembly/wire/pbb";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new PbbRepr();
function parse(h: string): WireErr { return parsePbb(hexBytes(h), hexLen(h), r); }
function parseCut(h: string, n: i32): WireErr { return parsePbb(atEnd(hexBytes(h), n), n, r); }

describe("wire/pbb", () => {
  it("decodes the I-TAG", () => {
    // tshark 4.0 (text2pcap, 88a8 tag then 88e7): ieee8021ah.isid 74565, priority 0.
    expect(parse("00012345")).toBe(WireErr.OK); expect(r.isid).toBe(0x12345); expect(r.pcp).toBe(0); expect(r.dei).toBe(false);
    expect(parse("b8ffffff")).toBe(WireErr.OK); expect(r.pcp).toBe(5); expect(r.dei).toBe(true); expect(r.uca).toBe(true); expect(r.isid).toBe(0xffffff);
  });
  it("is TRUNCATED below 4 bytes, without reading past them", () => {
    for (let n = 0; n < ITAG_LEN; n++) expect(parseCut("00012345", n)).toBe(WireErr.TRUNCATED);
  });
});
