import { DnsRepr, DnsSection, dnsRR, parseDns, dnsName, dnsNameEnd, dnsOpcode, dnsRcode, dnsNoRdata } from "../../../assembly/wire/dns";
import { WireErr } from "../../../assembly/wire/errors";

const r = new DnsRepr();
function parse(h: string): WireErr { return parseDns(hexBytes(h), hexLen(h), r); }
function name(off: i32): string { const buf = heap.alloc(256); const n = dnsName(r.msg, off, buf); return String.UTF8.decodeUnsafe(buf, n); }

const HDR_Q = "1234 0100 0001 0000 0000 0000";

// An UPDATE (RFC 2136 §2): zone example.com SOA; prerequisite "www.example.com has an A RRset"
// (class ANY, RDLENGTH 0, §2.4.1); update "add new.example.com A 192.0.2.7"; additional: a TSIG
// (RFC 8945 §4.2) of key.example.com, hmac-sha256, signed at 1700000000, fudge 300, a 4-byte MAC.
const UPD_HDR = "2b2b 2800 0001 0001 0001 0001";
const UPD_ZONE = "07 6578616d706c65 03 636f6d 00 0006 0001";             // @12
const UPD_PREREQ = "03 777777 c00c 0001 00ff 00000000 0000";            // @29
const UPD_UPDATE = "03 6e6577 c00c 0001 0001 0000012c 0004 c0000207";   // @45, RDATA @61
const TSIG_ALG = "0b 686d61632d736861323536 00";                        // hmac-sha256
function tsig(macSize: string, mac: string, otherLen: string, other: string, rdlen: string): string {
  return "03 6b6579 c00c 00fa 00ff 00000000 " + rdlen + TSIG_ALG + "00006553f100 012c" + macSize + mac + "2b2b 0000" + otherLen + other;
}
const UPD_TSIG = tsig("0004", "01020304", "0000", "", "0021");           // @65, RDATA @81 (33 bytes)
const UPDATE = UPD_HDR + UPD_ZONE + UPD_PREREQ + UPD_UPDATE + UPD_TSIG;
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
    expect(r.rrN[DnsSection.ANSWER]).toBe(1); expect(name(r.rrName[0])).toBe("example.com"); expect(r.rrTtl[0]).toBe(300);
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
    expect(r.rrN[DnsSection.ANSWER]).toBe(9);
    const types: u16[] = [5, 5, 5, 1, 2, 12, 15, 6, 33];
    const classes: u16[] = [1, 3, 4, 0xfe, 0xff, 2, 0x0101, 0x0202, 0x0303];
    const ttls: u32[] = [1367, 86400, 0, 0x7fffffff, 172800, 60, 3600, 900, 0x80000000];
    const names = ["www.example.com", "web.example.com", "edge.cdn.net", "e1.cdn.net", "example.com",
      "1.2.0.192.in-addr.arpa", "example.com", "example.com", "_sip._udp.example.com"];
    const data: i32[] = [45, 63, 89, 106, 122, 162, 176, 197, 254];
    const dataLen: u16[] = [6, 14, 5, 4, 6, 2, 9, 35, 12];
    for (let i = 0; i < 9; i++) {
      expect(r.rrType[i]).toBe(types[i], "type of answer " + i.toString());
      expect(r.rrClass[i]).toBe(classes[i], "class of answer " + i.toString());
      expect(r.rrTtl[i]).toBe(ttls[i], "TTL of answer " + i.toString());
      expect(name(r.rrName[i])).toBe(names[i], "name of answer " + i.toString());
      expect(r.rrData[i]).toBe(data[i], "data offset of answer " + i.toString());
      expect(r.rrDataLen[i]).toBe(dataLen[i], "data length of answer " + i.toString());
    }
    // The names inside the RDATA, and where SOA's fixed fields start (RFC 1035 §3.3.13).
    expect(name(r.rrData[0])).toBe("web.example.com");
    expect(name(r.rrData[1])).toBe("edge.cdn.net");
    expect(name(r.rrData[2])).toBe("e1.cdn.net");
    expect(name(r.rrData[4])).toBe("ns1.example.com");
    expect(name(r.rrData[5])).toBe("e1.cdn.net");
    expect(name(r.rrData[6] + 2)).toBe("mail.example.com");
    expect(name(r.rrData[7])).toBe("ns1.example.com");
    const rname = dnsNameEnd(r.msg, r.len, r.rrData[7]);
    expect(rname).toBe(199);
    expect(name(rname)).toBe("hostmaster.example.com");
    expect(dnsNameEnd(r.msg, r.len, rname)).toBe(212);
    expect(name(r.rrData[8] + 6)).toBe("sip.example.com");
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
  it("remembers the records of every section: an UPDATE's prerequisites, updates and additional records", () => {
    expect(parse(UPDATE)).toBe(WireErr.OK);
    expect(dnsOpcode(r)).toBe(5);
    expect(r.qN).toBe(1); expect(name(r.qName[0])).toBe("example.com"); expect(r.qType[0]).toBe(6);
    expect(r.rrN[DnsSection.ANSWER]).toBe(1); expect(r.rrN[DnsSection.AUTHORITY]).toBe(1); expect(r.rrN[DnsSection.ADDITIONAL]).toBe(1);
    const p = dnsRR(DnsSection.ANSWER, 0), u = dnsRR(DnsSection.AUTHORITY, 0), t = dnsRR(DnsSection.ADDITIONAL, 0);
    expect(name(r.rrName[p])).toBe("www.example.com"); expect(r.rrClass[p]).toBe(255); expect(r.rrDataLen[p]).toBe(0);
    expect(name(r.rrName[u])).toBe("new.example.com"); expect(r.rrType[u]).toBe(1); expect(r.rrTtl[u]).toBe(300); expect(r.rrData[u]).toBe(61);
    expect(name(r.rrName[t])).toBe("key.example.com"); expect(r.rrType[t]).toBe(250); expect(r.rrData[t]).toBe(81); expect(r.rrDataLen[t]).toBe(33);
    expect(name(r.rrData[t])).toBe("hmac-sha256");
  });
  it("takes class ANY or NONE with RDLENGTH 0 for no RDATA in an UPDATE only (RFC 2136 §2.4, §2.5)", () => {
    expect(dnsNoRdata(r, 255, 0)).toBe(true); expect(dnsNoRdata(r, 254, 0)).toBe(true);
    expect(dnsNoRdata(r, 1, 0)).toBe(false); expect(dnsNoRdata(r, 255, 4)).toBe(false);
    // The same records in a query: an A record of 0 bytes is malformed there.
    expect(parse("2b2b 0000 0001 0001 0001 0001" + UPD_ZONE + UPD_PREREQ + UPD_UPDATE + UPD_TSIG)).toBe(WireErr.BAD_RDATA);
    // And in an UPDATE, class IN needs its RDATA.
    expect(parse(UPD_HDR + UPD_ZONE + "03 777777 c00c 0001 0001 00000000 0000" + UPD_UPDATE + UPD_TSIG)).toBe(WireErr.BAD_RDATA);
    // RFC 2136 §2.5.4: class NONE deleting one RR carries it whole.
    expect(parse(UPD_HDR + UPD_ZONE + "03 777777 c00c 0001 00fe 00000000 0004 c0000201" + UPD_UPDATE + UPD_TSIG)).toBe(WireErr.OK);
  });
  it("validates TSIG's layout: MAC size and other length must end the RDATA (RFC 8945 §4.2)", () => {
    const pre = UPD_HDR + UPD_ZONE + UPD_PREREQ + UPD_UPDATE;
    expect(parse(pre + tsig("0005", "01020304", "0000", "", "0021"))).toBe(WireErr.BAD_RDATA);
    expect(parse(pre + tsig("0004", "01020304", "0001", "", "0021"))).toBe(WireErr.BAD_RDATA);
    expect(parse(pre + tsig("0004", "01020304", "0006", "00006553f200", "0027"))).toBe(WireErr.OK); // BADTIME's server time
    expect(parse(pre + tsig("0000", "", "0000", "", "001d"))).toBe(WireErr.OK);
    // The algorithm name is validated as any name: an obsolete label type is refused.
    expect(parse(pre + "03 6b6579 c00c 00fa 00ff 00000000 0012 4000 00006553f100 012c 0000 2b2b 0000 0000")).toBe(WireErr.BAD_NAME);
  });
  it("keeps what it read before a problem: a message cut short is shown as far as it goes", () => {
    // Cut inside the TSIG's fixed fields, then inside the update's name.
    const full = hexLen(UPDATE);
    const p = hexBytes(UPDATE);
    expect(parseDns(p, 75, r)).toBe(WireErr.TRUNCATED);
    expect(r.id).toBe(0x2b2b); expect(r.qN).toBe(1); expect(r.arCount).toBe(1);
    expect(r.rrN[DnsSection.ANSWER]).toBe(1); expect(r.rrN[DnsSection.AUTHORITY]).toBe(1); expect(r.rrN[DnsSection.ADDITIONAL]).toBe(0);
    expect(name(r.rrName[dnsRR(DnsSection.AUTHORITY, 0)])).toBe("new.example.com");
    expect(parseDns(p, 48, r)).toBe(WireErr.BAD_NAME);
    expect(r.qN).toBe(1); expect(r.rrN[DnsSection.ANSWER]).toBe(1); expect(r.rrN[DnsSection.AUTHORITY]).toBe(0);
    expect(parseDns(p, full, r)).toBe(WireErr.OK);
    expect(parseDns(p, 11, r)).toBe(WireErr.TRUNCATED);
    expect(r.qN).toBe(0); expect(r.rrN[DnsSection.ANSWER]).toBe(0); expect(r.id).toBe(0);
  });
  it("remembers at most MAX_DNS_RECORDS records per section, counting the rest", () => {
    let msg = "0001 8180 0000 0001 0000 0046 00 0001 0001 0000012c 0004 01020304";
    for (let i = 0; i < 70; i++) msg += "00 0010 0001 00000000 0002 01" + (i < 16 ? "0" : "") + i.toString(16);
    expect(parse(msg)).toBe(WireErr.OK);
    expect(r.arCount).toBe(70);
    expect(r.rrN[DnsSection.ANSWER]).toBe(1); expect(r.rrN[DnsSection.AUTHORITY]).toBe(0); expect(r.rrN[DnsSection.ADDITIONAL]).toBe(64);
    expect(r.rrData[dnsRR(DnsSection.ADDITIONAL, 63)]).toBe(12 + 15 + 63 * 13 + 11);
    expect(r.rrType[dnsRR(DnsSection.ANSWER, 0)]).toBe(1);
  });
});
