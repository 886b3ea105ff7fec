import { DnsRepr, parseDns, dnsName, dnsOpcode, dnsRcode } from "../../../assembly/wire/dns";
import { WireErr } from "../../../assembly/wire/errors";

const r = new DnsRepr();
function parse(h: string): WireErr { return parseDns(hexBytes(h), hexLen(h), r); }
function name(off: i32): string { const buf = heap.alloc(256); const n = dnsName(r.msg, off, buf); return String.UTF8.decodeUnsafe(buf, n); }

const HDR_Q = "1234 0100 0001 0000 0000 0000";
const QNAME = "07 6578616d706c65 03 636f6d 00";

describe("wire/dns", () => {
  it("parses a query", () => {
    expect(parse(HDR_Q + QNAME + "0001 0001")).toBe(WireErr.OK);
    expect(r.id).toBe(0x1234); expect(dnsOpcode(r)).toBe(0); expect(dnsRcode(r)).toBe(0);
    expect(r.qN).toBe(1); expect(r.qType[0]).toBe(1); expect(r.qClass[0]).toBe(1);
    expect(name(r.qName[0])).toBe("example.com");
  });
  it("follows backward compression pointers in answers", () => {
    const msg = "1234 8180 0001 0001 0000 0000" + QNAME + "0001 0001" + "c00c 0001 0001 0000012c 0004 5db8d822";
    expect(parse(msg)).toBe(WireErr.OK);
    expect(r.aN).toBe(1); expect(name(r.aName[0])).toBe("example.com"); expect(r.aTtl[0]).toBe(300);
  });
  it("rejects pointer loops and forward pointers", () => {
    expect(parse("1234 0100 0001 0000 0000 0000 c00c 0001 0001")).toBe(WireErr.BAD_POINTER);
    expect(parse("1234 0100 0001 0000 0000 0000 c010 0001 0001 00")).toBe(WireErr.BAD_POINTER);
  });
  it("rejects a label running past the message", () => {
    expect(parse("1234 0100 0001 0000 0000 0000 3f 6162")).toBe(WireErr.BAD_NAME);
  });
  it("validates record data by type", () => {
    const bad = "1234 8180 0000 0001 0000 0000 00 0001 0001 0000012c 0003 010203";
    expect(parse(bad)).toBe(WireErr.BAD_RDATA);
    const txt = "1234 8180 0000 0001 0000 0000 00 0010 0001 0000012c 0006 02 6869 02 796f";
    expect(parse(txt)).toBe(WireErr.OK);
    const badTxt = "1234 8180 0000 0001 0000 0000 00 0010 0001 0000012c 0003 05 6869";
    expect(parse(badTxt)).toBe(WireErr.BAD_RDATA);
  });
  it("validates authority and additional sections too", () => {
    expect(parse("1234 8180 0000 0000 0001 0000 00 0001 0001 0000012c 0004 01020304")).toBe(WireErr.OK);
    expect(parse("1234 8180 0000 0000 0000 0001 00 0001 0001 0000012c 0008 01020304")).toBe(WireErr.TRUNCATED);
  });
  it("is truncated below the 12-byte header", () => { expect(parse("1234 0100")).toBe(WireErr.TRUNCATED); });
});
