import { LlcRepr, parseLlc, SNAP_HDR_LEN } from "../../../assembly/wire/llc";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new LlcRepr();
function parse(h: string): WireErr { return parseLlc(hexBytes(h), hexLen(h), r); }
function parseCut(h: string, n: i32): WireErr { return parseLlc(atEnd(hexBytes(h), n), n, r); }

describe("wire/llc", () => {
  it("decodes SNAP with an EtherType (RFC 1042)", () => {
    // tshark 4.0 (text2pcap, an 802.3 frame): llc.dsap 0xaa, llc.ssap 0xaa, llc.oui 0x000000, llc.type 0x0800.
    expect(parse("aaaa03 000000 0800 45")).toBe(WireErr.OK);
    expect(r.snap).toBe(true); expect(r.oui).toBe(0); expect(r.pid).toBe(0x0800); expect(r.etherType).toBe(true); expect(r.hdrLen).toBe(8);
    // IEEE 802.1H bridge tunnel (tshark 4.0: llc.oui 248, i.e. 00-00-F8, llc.type 0x0800).
    expect(parse("aaaa03 0000f8 0800")).toBe(WireErr.OK); expect(r.etherType).toBe(true); expect(r.pid).toBe(0x0800);
    // A response SSAP (low bit set) is no SNAP to tshark 4.0: nothing is decoded after the LLC header.
    expect(parse("aaab03 000000 0800")).toBe(WireErr.OK); expect(r.snap).toBe(false); expect(r.hdrLen).toBe(3);
  });
  it("keeps another organisation's protocol ID apart from EtherTypes", () => {
    // CDP over SNAP, as in the corpus' tcpdump/various_gre.pcap (tshark 4.0: llc.oui 0x00000c, llc.pid 0x2000).
    expect(parse("aaaa03 00000c 2000")).toBe(WireErr.OK); expect(r.snap).toBe(true); expect(r.oui).toBe(0x0c); expect(r.etherType).toBe(false);
  });
  it("decodes plain LLC (STP) and two-octet control fields", () => {
    // tshark 4.0 on the corpus' tcpdump/802.1w_rapid_STP.pcap: DSAP 0x42, SSAP 0x42, control 0x03.
    expect(parse("424203 0000")).toBe(WireErr.OK); expect(r.snap).toBe(false); expect(r.dsap).toBe(0x42); expect(r.hdrLen).toBe(3);
    expect(parse("f0f0 0a00 00")).toBe(WireErr.OK); expect(r.control).toBe(0x0a00); expect(r.hdrLen).toBe(4);
  });
  it("is TRUNCATED when cut, without reading past it", () => {
    const h = "aaaa03 000000 0800";
    for (let n = 0; n < SNAP_HDR_LEN; n++) expect(parseCut(h, n)).toBe(WireErr.TRUNCATED);
    expect(parseCut(h, 8)).toBe(WireErr.OK);
    expect(parseCut("f0f0 0a00", 3)).toBe(WireErr.TRUNCATED);
  });
});
