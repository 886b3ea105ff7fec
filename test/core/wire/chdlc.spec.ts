import { ChdlcRepr, parseChdlc, isChdlcAddress, CHDLC_HDR_LEN } from "../../../assembly/wire/chdlc";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new ChdlcRepr();
function parse(h: string): WireErr { return parseChdlc(hexBytes(h), hexLen(h), r); }
function parseCut(h: string, n: i32): WireErr { return parseChdlc(atEnd(hexBytes(h), n), n, r); }

describe("wire/chdlc", () => {
  it("decodes address and protocol", () => {
    // tshark 4.0 (text2pcap -l 104): chdlc.address 0x0f, chdlc.protocol 0x0800; the corpus'
    // tcpdump/HDLC.pcap has 0x8f with 0x8035 (SLARP) and 0x2000 (CDP).
    expect(parse("0f00 0800 45")).toBe(WireErr.OK); expect(r.address).toBe(0x0f); expect(r.protocol).toBe(0x0800);
    expect(parse("8f00 8035")).toBe(WireErr.OK); expect(r.address).toBe(0x8f); expect(r.protocol).toBe(0x8035);
  });
  it("tells Cisco HDLC addresses from PPP's", () => {
    expect(isChdlcAddress(0x0f)).toBe(true); expect(isChdlcAddress(0x8f)).toBe(true);
    expect(isChdlcAddress(0xff)).toBe(false); expect(isChdlcAddress(0x00)).toBe(false);
  });
  it("is TRUNCATED below 4 bytes, without reading past them", () => {
    for (let n = 0; n < CHDLC_HDR_LEN; n++) expect(parseCut("0f00 0800", n)).toBe(WireErr.TRUNCATED);
    expect(parseCut("0f00 0800", 4)).toBe(WireErr.OK);
  });
});
