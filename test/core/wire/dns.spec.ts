import { DnsRepr, parseDns, dnsName, dnsNameEnd, dnsOpcode, dnsRcode } from "../../../assembly/wire/dns";
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
  // Every record whose RDATA holds a name (CNAME, NS, PTR, MX, SOA, SRV) once had its class and
  // TTL read after the RDATA names were validated, i.e. from the bytes after the RDATA, not from
  // the record's own fixed fields (RFC 1035 §4.1.3). Each record here has its own class and TTL,
  // and names compressed with pointers (§4.1.4) into the question and into earlier RDATA.
  it("reads each record's class and TTL from its own fields (CNAME chain, NS, PTR, MX, SOA, SRV)", () => {
    const msg = "1234 8180 0001 0009 0000 0000" +
      "03 777777 07 6578616d706c65 03 636f6d 00 0001 0001" +                  // @12 www.example.com A IN
      "c00c 0005 0001 00000557 0006 03 776562 c010" +                          // @33 CNAME IN 1367 -> web.example.com (@45)
      "c02d 0005 0003 00015180 000e 04 65646765 03 63646e 03 6e6574 00" +      // @51 CNAME CH 86400 -> edge.cdn.net (@63)
      "c03f 0005 0004 00000000 0005 02 6531 c044" +                            // @77 CNAME HS 0 -> e1.cdn.net (@89)
      "c059 0001 00fe 7fffffff 0004 c0000201" +                                // @94 A NONE 2^31-1 192.0.2.1
      "c010 0002 00ff 0002a300 0006 03 6e7331 c010" +                          // @110 NS ANY 172800 ns1.example.com (@122)
      "01 31 01 32 01 30 03 313932 07 696e2d61646472 04 61727061 00" +         // @128 1.2.0.192.in-addr.arpa
      "000c 0002 0000003c 0002 c059" +                                         //      PTR CS 60 -> e1.cdn.net
      "c010 000f 0101 00000e10 0009 000a 04 6d61696c c010" +                   // @164 MX 0x0101 3600 10 mail.example.com
      "c010 0006 0202 00000384 0023 c07a 0a 686f73746d6173746572 c010" +       // @185 SOA 0x0202 900 ns1 hostmaster
      "78a3f175 00001c20 00000384 00127500 0000012c" +                         //      2024010101 7200 900 1209600 300
      "04 5f736970 04 5f756470 c010 0021 0303 80000000 000c" +                 // @232 _sip._udp SRV 0x0303 2^31
      "000a 003c 13c4 03 736970 c010";                                         //      10 60 5060 sip.example.com
    expect(parse(msg)).toBe(WireErr.OK);
    expect(r.aN).toBe(9);
    const types: u16[] = [5, 5, 5, 1, 2, 12, 15, 6, 33];
    const classes: u16[] = [1, 3, 4, 0xfe, 0xff, 2, 0x0101, 0x0202, 0x0303];
    const ttls: u32[] = [1367, 86400, 0, 0x7fffffff, 172800, 60, 3600, 900, 0x80000000];
    const names = ["www.example.com", "web.example.com", "edge.cdn.net", "e1.cdn.net", "example.com",
      "1.2.0.192.in-addr.arpa", "example.com", "example.com", "_sip._udp.example.com"];
    const data: i32[] = [45, 63, 89, 106, 122, 162, 176, 197, 254];
    const dataLen: u16[] = [6, 14, 5, 4, 6, 2, 9, 35, 12];
    for (let i = 0; i < 9; i++) {
      expect(r.aType[i]).toBe(types[i], "type of answer " + i.toString());
      expect(r.aClass[i]).toBe(classes[i], "class of answer " + i.toString());
      expect(r.aTtl[i]).toBe(ttls[i], "TTL of answer " + i.toString());
      expect(name(r.aName[i])).toBe(names[i], "name of answer " + i.toString());
      expect(r.aData[i]).toBe(data[i], "data offset of answer " + i.toString());
      expect(r.aDataLen[i]).toBe(dataLen[i], "data length of answer " + i.toString());
    }
    // The names inside the RDATA, and where SOA's fixed fields start (RFC 1035 §3.3.13).
    expect(name(r.aData[0])).toBe("web.example.com");
    expect(name(r.aData[1])).toBe("edge.cdn.net");
    expect(name(r.aData[2])).toBe("e1.cdn.net");
    expect(name(r.aData[4])).toBe("ns1.example.com");
    expect(name(r.aData[5])).toBe("e1.cdn.net");
    expect(name(r.aData[6] + 2)).toBe("mail.example.com");
    expect(name(r.aData[7])).toBe("ns1.example.com");
    const rname = dnsNameEnd(r.msg, r.len, r.aData[7]);
    expect(rname).toBe(199);
    expect(name(rname)).toBe("hostmaster.example.com");
    expect(dnsNameEnd(r.msg, r.len, rname)).toBe(212);
    expect(name(r.aData[8] + 6)).toBe("sip.example.com");
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
