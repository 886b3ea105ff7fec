import { PortTagRepr, parseEtag, parseVntag, ETAG_LEN, VNTAG_LEN } from "../../../assembly/wire/etag";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new PortTagRepr();
function etag(h: string): WireErr { return parseEtag(hexBytes(h), hexLen(h), r); }
function vntag(h: string): WireErr { return parseVntag(hexBytes(h), hexLen(h), r); }

describe("wire/etag", () => {
  it("decodes an E-Tag and the EtherType after it", () => {
    // tshark 4.0 (text2pcap, EtherType 0x893f): etag.pcp 3, etag.iecid_base 0x0123, etag.group 1, etag.ecid_base 0x0456, then IPv4.
    expect(etag("6123 1456 0000 0800")).toBe(WireErr.OK);
    expect(r.pcp).toBe(3); expect(r.src).toBe(0x123); expect(r.dst).toBe(0x1456); expect(r.etherType).toBe(0x0800); expect(r.hdrLen).toBe(8);
    expect(etag("0000 0000 0102 86dd")).toBe(WireErr.OK); expect(r.src).toBe(0x1000); expect(r.dst).toBe(2 << 14); expect(r.etherType).toBe(0x86dd);
  });
  it("decodes a VN-Tag and the EtherType after it", () => {
    // tshark 4.0 (text2pcap, EtherType 0x8926): vntag.dir 1, vntag.dst 1, vntag.src 2, then IPv4.
    expect(vntag("80010002 0800")).toBe(WireErr.OK);
    expect(r.pcp).toBe(1); expect(r.dst).toBe(1); expect(r.src).toBe(2); expect(r.etherType).toBe(0x0800); expect(r.hdrLen).toBe(6);
  });
  it("is TRUNCATED when the tag or its EtherType is cut, without reading past them", () => {
    for (let n = 0; n < ETAG_LEN + 2; n++) expect(parseEtag(atEnd(hexBytes("6123 1456 0000 0800"), n), n, r)).toBe(WireErr.TRUNCATED);
    for (let n = 0; n < VNTAG_LEN + 2; n++) expect(parseVntag(atEnd(hexBytes("80010002 0800"), n), n, r)).toBe(WireErr.TRUNCATED);
  });
});
