import { RadiotapRepr, parseRadiotap, RT_FLAG_FCS, RT_FLAG_DATAPAD } from "../../../assembly/wire/radiotap";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new RadiotapRepr();
function parse(h: string): WireErr { return parseRadiotap(hexBytes(h), hexLen(h), r); }

describe("wire/radiotap", () => {
  it("finds Flags after TSFT, aligned to 8", () => {
    // tshark 4.0 (text2pcap -l 127): radiotap.length 17, radiotap.flags.fcs 1.
    expect(parse("00001100 03000000 0000000000000000 10")).toBe(WireErr.OK);
    expect(r.hdrLen).toBe(17); expect(r.hasFlags).toBe(true); expect(r.flags).toBe(RT_FLAG_FCS);
  });
  it("finds Flags after further present words", () => {
    // Present words 0x80000002 and 0: Flags at offset 12 (tshark 4.0: FCS at end true).
    expect(parse("00000d00 02000080 00000000 10")).toBe(WireErr.OK); expect(r.flags).toBe(RT_FLAG_FCS); expect(r.hdrLen).toBe(13);
    // TSFT after two present words is aligned to 8: offset 16, Flags at 24.
    expect(parse("00001900 03000080 00000000 00000000 0000000000000000 20")).toBe(WireErr.OK); expect(r.flags).toBe(RT_FLAG_DATAPAD);
  });
  it("has no Flags when the present bit is clear", () => {
    expect(parse("00000800 00000000")).toBe(WireErr.OK); expect(r.hasFlags).toBe(false); expect(r.flags).toBe(0); expect(r.hdrLen).toBe(8);
    // Flags present but the header ends before it: not read.
    expect(parse("00000800 02000000")).toBe(WireErr.OK); expect(r.hasFlags).toBe(false);
  });
  it("rejects other versions and lengths that do not hold the present words", () => {
    // The corpus' tcpdump/ieee802.11_rates_oobr.pcap: tshark 4.0 shows "Radiotap Header v48 ... (invalid)".
    expect(parse("30301800 00000000")).toBe(WireErr.BAD_VERSION);
    expect(parse("00000700 00000000")).toBe(WireErr.BAD_HEADER_LENGTH);
    expect(parse("00000800 00000080")).toBe(WireErr.BAD_HEADER_LENGTH);
  });
  it("is TRUNCATED when the header is cut, without reading past it", () => {
    const h = "00001100 03000000 0000000000000000 10";
    for (let n = 0; n < 17; n++) expect(parseRadiotap(atEnd(hexBytes(h), n), n, r)).toBe(WireErr.TRUNCATED);
    expect(parseRadiotap(atEnd(hexBytes(h), 17), 17, r)).toBe(WireErr.OK);
  });
});
