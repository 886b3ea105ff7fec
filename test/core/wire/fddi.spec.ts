import { FddiRepr, parseFddi, FDDI_HDR_LEN } from "../../../assembly/wire/fddi";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new FddiRepr();

describe("wire/fddi", () => {
  it("decodes frame control and tells LLC frames", () => {
    // tshark 4.0 (text2pcap -l 10): fddi.fc 0x50 (async LLC, priority 0), then LLC/SNAP.
    expect(parseFddi(hexBytes("50 020000000002 020000000001 aa"), 14, r)).toBe(WireErr.OK); expect(r.fc).toBe(0x50); expect(r.llc).toBe(true);
    expect(parseFddi(hexBytes("57 020000000002 020000000001"), 13, r)).toBe(WireErr.OK); expect(r.llc).toBe(true);
    // SMT and MAC frames carry no LLC.
    expect(parseFddi(hexBytes("41 020000000002 020000000001"), 13, r)).toBe(WireErr.OK); expect(r.llc).toBe(false);
    expect(parseFddi(hexBytes("c2 020000000002 020000000001"), 13, r)).toBe(WireErr.OK); expect(r.llc).toBe(false);
  });
  it("is TRUNCATED below 13 bytes, without reading past them", () => {
    for (let n = 0; n < FDDI_HDR_LEN; n++) expect(parseFddi(atEnd(hexBytes("50 020000000002 020000000001"), n), n, r)).toBe(WireErr.TRUNCATED);
  });
});
