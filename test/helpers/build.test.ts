// Tests for test/helpers/build.ts: pure byte-level checks, then tshark/capinfos as an
// independent oracle (skipped only when tshark is not installed).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as B from "./build.js";

// ───────────────────────────── pure checks ─────────────────────────────

describe("build.ts byte helpers", () => {
  it("bytes/hex/ascii/utf8/toHex", () => {
    expect(B.bytes(1, [2, 3], Uint8Array.of(4), 0x1ff)).toEqual(Uint8Array.of(1, 2, 3, 4, 0xff));
    expect(B.hex("de ad:be-ef 0x01")).toEqual(Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x01));
    expect(() => B.hex("abc")).toThrow();
    expect(B.ascii("AZ\u00ff")).toEqual(Uint8Array.of(0x41, 0x5a, 0xff));
    expect(() => B.ascii("\u0100")).toThrow();
    expect(B.utf8("é€😀")).toEqual(new TextEncoder().encode("é€😀"));
    expect(B.toHex(Uint8Array.of(0, 0xab))).toBe("00 ab");
  });

  it("parses IPv4, MAC and every RFC 4291 IPv6 text form", () => {
    expect(B.parseIPv4("192.0.2.255")).toEqual(Uint8Array.of(192, 0, 2, 255));
    for (const bad of ["1.2.3", "1.2.3.256", "a.b.c.d", "1.2.3.4.5"]) expect(() => B.parseIPv4(bad)).toThrow();
    expect(B.parseMac("aa:BB:cc:dd:ee:0f")).toEqual(B.hex("aabbccddee0f"));
    const v6 = (s: string) => B.toHex(B.parseIPv6(s), "");
    expect(v6("::")).toBe("0".repeat(32));
    expect(v6("::1")).toBe("0".repeat(31) + "1");
    expect(v6("2001:db8::1")).toBe("20010db8" + "0".repeat(23) + "1");
    expect(v6("2001:DB8:0:0:8:800:200C:417A")).toBe("20010db8000000000008080020" + "0c417a");
    expect(v6("ff01::101")).toBe("ff01" + "0".repeat(24) + "0101");
    expect(v6("fe80::1:2")).toBe("fe80" + "0".repeat(20) + "00010002");
    expect(v6("1::")).toBe("0001" + "0".repeat(28));
    expect(v6("1:2:3:4:5:6:7:8")).toBe("00010002000300040005000600070008");
    expect(v6("::ffff:1.2.3.4")).toBe("0".repeat(20) + "ffff01020304");
    expect(v6("::13.1.68.3")).toBe("0".repeat(24) + "0d014403");
    expect(v6("1:2:3:4:5:6:1.2.3.4")).toBe("000100020003000400050006" + "01020304");
    expect(v6("[fe80::1%eth0]")).toBe("fe80" + "0".repeat(27) + "1");
    for (const bad of ["", "1", ":1::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "g::", "::1.2.3", "1:2:3:4:5:6:7::8"]) {
      expect(() => B.parseIPv6(bad), bad).toThrow();
    }
    expect(B.parseIP("10.0.0.1").length).toBe(4);
    expect(B.parseIP("::1").length).toBe(16);
  });

  it("computes known checksums and CRCs", () => {
    // Wikipedia's IPv4 header example: checksum 0xb861.
    const hdr = B.hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
    expect(B.inetChecksum(hdr)).toBe(0xb861);
    expect(B.inetChecksum(B.hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7"))).toBe(0);
    // RFC 1071 odd-length handling: trailing byte is padded with zero on the right.
    expect(B.inetChecksum(Uint8Array.of(0x01))).toBe(~0x0100 & 0xffff);
    expect(B.inetChecksum(Uint8Array.of(0x00, 0x01), Uint8Array.of(0xf2, 0x03))).toBe(~0xf204 & 0xffff);
    expect(B.crc32(B.ascii("123456789"))).toBe(0xcbf43926);
  });

  it("ipv4() reproduces a known header byte for byte", () => {
    const h = B.ipv4({ src: "192.168.0.1", dst: "192.168.0.199", proto: 17, ttl: 64, id: 0, flags: "DF", totalLength: 0x73 });
    expect(B.toHex(h)).toBe(B.toHex(B.hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7")));
    expect(B.ipv4({ xsum: 0xbeef })[10]).toBe(0xbe);
    const f = B.ipv4({ flags: B.IP4_FLAGS.MF | B.IP4_FLAGS.DF, fragOffset: 0x1abc, options: Uint8Array.of(0x94, 4, 0, 0, 1), payload: Uint8Array.of(9) });
    expect(f[0]).toBe(0x47); // IHL 7: 5 words + 8 option bytes (5 padded to 8)
    expect((f[6] << 8) | f[7]).toBe(0x6000 | 0x1abc);
    expect((f[2] << 8) | f[3]).toBe(29);
    expect(B.inetChecksum(f.subarray(0, 28))).toBe(0);
  });

  it("transport checksums verify to zero with the pseudo-header", () => {
    for (const [src, dst] of [["10.0.0.1", "10.0.0.2"], ["2001:db8::a", "::ffff:10.0.0.2"]]) {
      const seg = B.tcp({ src, dst, payload: B.ascii("odd") });
      expect(B.inetChecksum(B.pseudoHeader(src, dst, 6, seg.length), seg)).toBe(0);
      const dg = B.udp({ src, dst, payload: B.ascii("even") });
      expect(B.inetChecksum(B.pseudoHeader(src, dst, 17, dg.length), dg)).toBe(0);
    }
    const m6 = B.icmp6({ src: "fe80::1", dst: "ff02::1", type: 135, payload: B.ascii("x") });
    expect(B.inetChecksum(B.pseudoHeader("fe80::1", "ff02::1", 58, m6.length), m6)).toBe(0);
    expect(B.inetChecksum(B.icmp4({ payload: B.ascii("abc") }))).toBe(0);
    expect(B.udp({ xsum: 0 }).subarray(6, 8)).toEqual(Uint8Array.of(0, 0));
    expect(B.udp({ length: 99 }).subarray(4, 6)).toEqual(Uint8Array.of(0, 99));
  });

  it("tcp() places flags (incl. NS) and encodes options", () => {
    const t = B.tcp({ flags: "SYN|ACK|NS", seq: 0x01020304, ack: 5, window: 1000, urg: 7 });
    expect(t.length).toBe(20);
    expect(t[12]).toBe(0x51); // data offset 5, NS bit
    expect(t[13]).toBe(0x12);
    expect(B.toHex(t.subarray(4, 8))).toBe("01 02 03 04");
    expect(B.tcp({ flags: 0x1ff })[13]).toBe(0xff);
    expect(() => B.tcp({ flags: "SYN|BOGUS" })).toThrow();
    const o = B.tcpOptions([B.tcpOpt.mss(1460), B.tcpOpt.nop(), B.tcpOpt.wscale(7), B.tcpOpt.sackPermitted(),
      B.tcpOpt.timestamps(1, 2), B.tcpOpt.sack([[10, 20]]), B.tcpOpt.eol()]);
    expect(B.toHex(o)).toBe("02 04 05 b4 01 03 03 07 04 02 08 0a 00 00 00 01 00 00 00 02 05 0a 00 00 00 0a 00 00 00 14 00 00");
    const withOpts = B.tcp({ options: [B.tcpOpt.mss(1460)] });
    expect(withOpts.length).toBe(24);
    expect(withOpts[12] >> 4).toBe(6);
    expect(B.tcp({ options: Uint8Array.of(1) }).length).toBe(24); // raw options padded
  });

  it("link layers have the documented layout", () => {
    const e = B.ethernet({ dst: "ff:ff:ff:ff:ff:ff", src: "02:00:00:00:00:01", vlans: [100, { id: 200, pcp: 5, dei: true }], outerTpid: 0x88a8, type: 0x86dd, payload: Uint8Array.of(0xaa) });
    expect(B.toHex(e)).toBe("ff ff ff ff ff ff 02 00 00 00 00 01 88 a8 00 64 81 00 b0 c8 86 dd aa");
    const pad = B.ethernet({ payload: Uint8Array.of(1), padTo: 60, fcs: true });
    expect(pad.length).toBe(64);
    const c = B.crc32(pad.subarray(0, 60));
    expect(Array.from(pad.subarray(60))).toEqual([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24]);
    expect(B.toHex(B.sll({ pkttype: 4, addr: "01:02:03:04:05:06", protocol: 0x86dd, payload: Uint8Array.of(9) })))
      .toBe("00 04 00 01 00 06 01 02 03 04 05 06 00 00 86 dd 09");
    expect(B.toHex(B.sll2({ ifindex: 3, pkttype: 1, addr: "01:02:03:04:05:06", protocol: 0x0800 })))
      .toBe("08 00 00 00 00 00 00 03 00 01 01 06 01 02 03 04 05 06 00 00");
    expect(B.toHex(B.nullLoop({ family: 2 }))).toBe("02 00 00 00");
    expect(B.toHex(B.nullLoop({ family: 30, bigEndian: true }))).toBe("00 00 00 1e");
    expect(B.toHex(B.loop({ family: 24, payload: Uint8Array.of(6) }))).toBe("00 00 00 18 06");
    expect(B.toHex(B.arp({ op: 2, senderMac: "02:00:00:00:00:01", senderIp: "10.0.0.1", targetMac: "02:00:00:00:00:02", targetIp: "10.0.0.2" })))
      .toBe("00 01 08 00 06 04 00 02 02 00 00 00 00 01 0a 00 00 01 02 00 00 00 00 02 0a 00 00 02");
  });

  it("ipv6() chains extension headers with correct lengths", () => {
    const p = B.ipv6({ nextHeader: 17, flowLabel: 0xabcde, trafficClass: 0x12, hopLimit: 3, extensions: [
      { type: 0 }, { type: 43, data: B.bytes(0, 0, 0, 0, 0, 0, B.parseIPv6("::9")) }, { type: 44, data: B.ipv6FragData({ offset: 3, more: true, id: 7 }) }, { type: 60, data: Uint8Array.of(1, 1, 0) },
    ], payload: Uint8Array.of(0xee) });
    expect(B.toHex(p.subarray(0, 8))).toBe("61 2a bc de 00 31 00 03");
    const ext = p.subarray(40);
    expect(B.toHex(ext.subarray(0, 8))).toBe("2b 00 01 04 00 00 00 00"); // HBH: next=43, len 0, PadN(4)
    expect(ext[8]).toBe(44); expect(ext[9]).toBe(2); // routing: 24 bytes
    expect(B.toHex(ext.subarray(32, 40))).toBe("3c 00 00 19 00 00 00 07"); // fragment: offset 3, M, id 7
    expect(B.toHex(ext.subarray(40, 48))).toBe("11 00 01 01 00 01 01 00"); // dstopts padded with PadN(1)
    expect(ext[48]).toBe(0xee);
    expect(B.ipv6({ payloadLength: 5 }).subarray(4, 6)).toEqual(Uint8Array.of(0, 5));
    expect(B.ipv6({ extensions: [{ type: 60, data: new Uint8Array(5) }] }).subarray(40)).toEqual(B.hex("06 00 00 00 00 00 00 00")); // 5 data bytes + Pad1
  });

  it("dns() encodes an exact query and compresses repeated names", () => {
    const q = B.dns({ id: 0x1234, questions: [{ name: "example.com", type: "A" }] });
    expect(B.toHex(q)).toBe(B.toHex(B.hex("1234 0100 0001 0000 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001")));
    const spec = { questions: [{ name: "www.example.com" }], answers: [
      { name: "www.example.com", type: "CNAME" as const, data: "web.example.com" },
      { name: "web.example.com", type: "A" as const, data: "192.0.2.7", ttl: 60 },
    ] };
    const plain = B.dns(spec), packed = B.dns({ ...spec, compress: true });
    expect(plain[2] & 0x80).toBe(0x80); // qr defaults to true when answers are present
    expect(B.toHex(packed)).toContain("c0 0c 00 05 00 01"); // answer name -> question name
    expect(B.toHex(packed)).toContain("03 77 65 62 c0 10"); // "web" + pointer to "example.com"
    expect(packed.length).toBeLessThan(plain.length);
    expect(B.toHex(plain)).not.toContain("c0 0c");
    const tcpMsg = B.dns({ ...spec, tcp: true });
    expect((tcpMsg[0] << 8) | tcpMsg[1]).toBe(plain.length);
    const opt = B.dns({ additionals: [B.dnsOpt({ udpSize: 1232, do: true, options: [{ code: 10, data: B.hex("0102") }] })] });
    expect(B.toHex(opt.subarray(12))).toBe("00 00 29 04 d0 00 00 80 00 00 06 00 0a 00 02 01 02");
  });

  it("timestamps convert exactly", () => {
    expect(B.toSecNsec(1700000000.123456)).toEqual({ sec: 1700000000, nsec: 123456000 });
    expect(B.toSecNsec(0.5)).toEqual({ sec: 0, nsec: 500000000 });
    expect(B.toSecNsec(1e-7)).toEqual({ sec: 0, nsec: 100 });
    expect(B.toSecNsec({ sec: 3, usec: 7 })).toEqual({ sec: 3, nsec: 7000 });
    expect(B.toTicks({ sec: 2, nsec: 500000000 }, 0x80 | 10)).toBe(2n * 1024n + 512n);
    expect(B.toTicks({ sec: 2, nsec: 1 }, 9)).toBe(2000000001n);
    expect(B.toTicks(1.25, 3)).toBe(1250n);
    expect(B.toTicks(42n, 9)).toBe(42n);
  });

  it("pcap() headers and records", () => {
    const d = Uint8Array.of(1, 2, 3, 4, 5);
    const le = B.pcap([{ data: d, ts: { sec: 1, nsec: 2500 }, capLen: 3 }], { linkType: 113, snaplen: 100 });
    expect(B.toHex(le)).toBe("d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 64 00 00 00 71 00 00 00 " +
      "01 00 00 00 02 00 00 00 03 00 00 00 05 00 00 00 01 02 03");
    const be = B.pcap([{ data: d, ts: { sec: 1, nsec: 2500 } }], { nano: true, bigEndian: true });
    expect(B.toHex(be.subarray(0, 4))).toBe("a1 b2 3c 4d");
    expect(B.toHex(be.subarray(24, 40))).toBe("00 00 00 01 00 00 09 c4 00 00 00 05 00 00 00 05");
    expect(B.toHex(B.pcap([], { nano: true }).subarray(0, 4))).toBe("4d 3c b2 a1");
  });

  it("pcapng() frames blocks with padding, both lengths and opt_endofopt", () => {
    for (const bigEndian of [false, true]) {
      const f = B.pcapng({ bigEndian, sectionLength: "auto", blocks: [
        { type: "idb", linkType: 1, name: "eth0", tsresol: 9, tsoffset: -5 },
        { type: "epb", ts: 0x0000000100000002n, data: Uint8Array.of(1, 2, 3), origLen: 9, comment: "c" },
        { type: "spb", data: Uint8Array.of(1) },
        { type: "raw", blockType: 0x99, body: Uint8Array.of(7, 7) },
      ] });
      const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
      const le = !bigEndian;
      const blocks: Array<[number, number]> = [];
      for (let off = 0; off < f.length;) {
        const type = v.getUint32(off, le), len = v.getUint32(off + 4, le);
        expect(len % 4).toBe(0);
        expect(v.getUint32(off + len - 4, le)).toBe(len);
        blocks.push([type, len]);
        off += len;
      }
      expect(blocks).toEqual([[0x0a0d0d0a, 28], [1, 52], [6, 48], [3, 20], [0x99, 16]]);
      expect(v.getUint32(8, le)).toBe(0x1a2b3c4d);
      expect(v.getBigInt64(16, le)).toBe(BigInt(f.length - 28));
      const epb = 28 + 52;
      expect([v.getUint32(epb + 12, le), v.getUint32(epb + 16, le)]).toEqual([1, 2]); // ts high, low
      expect([v.getUint32(epb + 20, le), v.getUint32(epb + 24, le)]).toEqual([3, 9]);
      expect(B.toHex(f.subarray(epb + 28, epb + 32))).toBe("01 02 03 00");
      expect(v.getUint16(epb + 32, le)).toBe(1); // opt_comment
      expect(v.getUint16(epb + 34, le)).toBe(1);
      expect(v.getUint32(epb + 40, le)).toBe(0); // opt_endofopt
      // IDB options: if_name "eth0", if_tsresol 9 (+3 pad), if_tsoffset -5, endofopt.
      expect(v.getUint16(28 + 16, le)).toBe(2);
      expect(v.getUint16(28 + 24, le)).toBe(9);
      expect(f[28 + 28]).toBe(9);
      expect(v.getUint16(28 + 32, le)).toBe(14);
      expect(v.getBigInt64(28 + 36, le)).toBe(-5n);
    }
  });
});

// ───────────────────────────── tshark oracle ─────────────────────────────

const hasTshark = spawnSync("tshark", ["--version"], { encoding: "utf8" }).status === 0;
const hasCapinfos = spawnSync("capinfos", ["-v"], { encoding: "utf8" }).status === 0;

// Wireshark's checksum-status enum: 0 bad, 1 good, 2 unverified, 3 not present, 4 illegal.
const GOOD = "1", BAD = "0";
const PREFS = ["-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
  "-o", "eth.check_fcs:TRUE", "-o", "nameres.use_external_name_resolver:FALSE"];

type Row = Record<string, string>;
/** Run tshark -T fields and return one record per frame keyed by field name. */
function tshark(file: string, fields: string[], extra: string[] = []): Row[] {
  const r = spawnSync("tshark", ["-r", file, ...PREFS, ...extra, "-T", "fields", "-E", "separator=/t", ...fields.flatMap((f) => ["-e", f])], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "").map((l) => {
    const cols = l.split("\t");
    return Object.fromEntries(fields.map((f, i) => [f, cols[i] ?? ""]));
  });
}
/** Run capinfos and return its text output. */
function capinfos(file: string): string {
  const r = spawnSync("capinfos", [file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`capinfos failed on ${file}: ${r.stderr}`);
  return r.stdout;
}

const FIELDS = ["frame.time_epoch", "frame.len", "frame.cap_len", "frame.protocols", "frame.interface_id", "ip.src", "ip.dst",
  "ipv6.src", "ipv6.dst", "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "icmp.checksum.status",
  "icmpv6.checksum.status", "dns.qry.name", "dns.a", "dns.txt", "dns.cname", "vlan.id", "ieee8021ad.id", "tcp.options.mss_val",
  "tcp.options.wscale.shift", "tcp.options.sack_le", "tcp.options.sack_re", "tcp.options.timestamp.tsval", "tcp.flags", "tcp.srcport", "tcp.dstport",
  "ipv6.flow", "ipv6.tclass", "ipv6.hopopts.len_oct", "ipv6.routing.len_oct", "ipv6.fraghdr.ident", "ipv6.dstopts.len_oct",
  "ip.flags.mf", "ip.flags.df", "ip.frag_offset", "ip.id", "ip.hdr_len", "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4",
  "eth.fcs.status", "sll.ifindex", "sll.pkttype", "sll.src.eth", "null.family", "_ws.malformed"];

describe.skipIf(!hasTshark)("tshark agrees with what build.ts wrote", () => {
  const dir = mkdtempSync(join(tmpdir(), "tracecap-build-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, data: Uint8Array) => { const p = join(dir, name); writeFileSync(p, data); return p; };

  const c4 = "10.1.2.3", s4 = "10.9.8.7", c6 = "2001:db8::a", s6 = "2001:db8:1::b";
  const dnsSpec = (compress: boolean) => B.dns({ id: 0x0707, compress, questions: [{ name: "www.example.com", type: "A" }], answers: [
    { name: "www.example.com", type: "CNAME", data: "web.example.com" },
    { name: "web.example.com", type: "A", data: "192.0.2.7" },
    { name: "web.example.com", type: "A", data: "192.0.2.8" },
    { name: "web.example.com", type: "TXT", data: ["hello", "world"] },
  ] });
  const dnsPkt = (compress: boolean) => B.ethernet({ payload: B.ipv4({ src: s4, dst: c4, proto: 17, payload: B.udp({ src: s4, dst: c4, srcPort: 53, dstPort: 40000, payload: dnsSpec(compress) }) }) });
  const bigTcp = B.ethernet({ payload: B.ipv4({ src: c4, dst: s4, payload: B.tcp({ src: c4, dst: s4, payload: new Uint8Array(200).fill(0x61) }) }) });
  const packets: Uint8Array[] = [
    // 0: QinQ (802.1ad outer) TCP SYN with every option helper
    B.ethernet({ vlans: [100, 200], outerTpid: 0x88a8, payload: B.ipv4({ src: c4, dst: s4, proto: 6, flags: "DF", payload: B.tcp({
      src: c4, dst: s4, srcPort: 1234, dstPort: 80, flags: "SYN", seq: 1,
      options: [B.tcpOpt.mss(1460), B.tcpOpt.nop(), B.tcpOpt.wscale(7), B.tcpOpt.sackPermitted(), B.tcpOpt.timestamps(11, 0), B.tcpOpt.sack([[100, 200]])],
    }) }) }),
    // 1, 2: DNS response uncompressed / compressed
    dnsPkt(false),
    dnsPkt(true),
    // 3: ICMP echo with odd payload, single VLAN tag
    B.ethernet({ vlans: [42], payload: B.ipv4({ src: c4, dst: s4, proto: 1, payload: B.icmp4({ id: 1, seq: 2, payload: B.ascii("abc") }) }) }),
    // 4: IPv6 with hop-by-hop, routing, fragment, destination options, TCP with NS flag
    B.ethernet({ type: B.ETH.IPV6, payload: B.ipv6({ src: c6, dst: s6, nextHeader: 6, flowLabel: 0x12345, trafficClass: 0xb8, extensions: [
      { type: 0 }, { type: 43, data: B.bytes(0, 0, 0, 0, 0, 0, B.parseIPv6("2001:db8::99")) },
      { type: 44, data: B.ipv6FragData({ id: 0xdeadbeef }) }, { type: 60, data: B.bytes(1, 1, 0) },
    ], payload: B.tcp({ src: c6, dst: s6, flags: "NS|PSH|ACK", payload: B.ascii("hello") }) }) }),
    // 5: ICMPv6 echo, UDP over IPv6
    B.ethernet({ type: B.ETH.IPV6, payload: B.ipv6({ src: c6, dst: s6, nextHeader: 58, payload: B.icmp6({ src: c6, dst: s6, id: 9, seq: 1, payload: B.ascii("ping") }) }) }),
    B.ethernet({ type: B.ETH.IPV6, payload: B.ipv6({ src: c6, dst: s6, nextHeader: 17, payload: B.udp({ src: c6, dst: s6, payload: B.ascii("x") }) }) }),
    // 7: IPv4 non-first fragment with options
    B.ethernet({ payload: B.ipv4({ src: c4, dst: s4, proto: 17, id: 0x4242, flags: "MF", fragOffset: 185, options: B.bytes(1, 1, 1), payload: B.ascii("fragment-data") }) }),
    // 8: ARP padded to 60
    B.ethernet({ dst: "ff:ff:ff:ff:ff:ff", type: B.ETH.ARP, padTo: 60, payload: B.arp({ senderIp: c4, targetIp: s4 }) }),
    // 9: deliberately wrong checksums (negative control)
    B.ethernet({ payload: B.ipv4({ src: c4, dst: s4, proto: 17, xsum: 0x1234, payload: B.udp({ src: c4, dst: s4, xsum: 0x1234, payload: B.ascii("bad") }) }) }),
  ];
  const tsOf = (i: number) => ({ sec: 1700000000 + i, nsec: 123456789 });

  function checkPackets(rows: Row[], nano: boolean) {
    expect(rows).toHaveLength(packets.length + 1);
    rows.forEach((r, i) => {
      expect(r["frame.time_epoch"], `ts #${i}`).toBe(`${1700000000 + i}.${nano ? "123456789" : "123456000"}`);
      expect(r["_ws.malformed"], `malformed #${i}`).toBe("");
      if (i < packets.length) expect(r["frame.len"]).toBe(String(packets[i].length));
    });
    const [syn, dns1, dns2, icmp, v6tcp, icmp6, v6udp, frag, arpRow, bad, trunc] = rows;
    expect([syn["ip.src"], syn["ip.dst"], syn["ip.checksum.status"], syn["tcp.checksum.status"]]).toEqual([c4, s4, GOOD, GOOD]);
    expect([syn["ieee8021ad.id"], syn["vlan.id"]]).toEqual(["100", "200"]);
    expect(syn["frame.protocols"]).toBe("eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ip:tcp");
    expect([syn["tcp.options.mss_val"], syn["tcp.options.wscale.shift"], syn["tcp.options.sack_le"], syn["tcp.options.sack_re"], syn["tcp.options.timestamp.tsval"]])
      .toEqual(["1460", "7", "100", "200", "11"]);
    expect([syn["tcp.srcport"], syn["tcp.dstport"], syn["tcp.flags"], syn["ip.flags.df"]]).toEqual(["1234", "80", "0x0002", "1"]);
    for (const d of [dns1, dns2]) {
      expect([d["ip.src"], d["udp.checksum.status"], d["ip.checksum.status"]]).toEqual([s4, GOOD, GOOD]);
      expect([d["dns.qry.name"], d["dns.cname"], d["dns.a"], d["dns.txt"]]).toEqual(["www.example.com", "web.example.com", "192.0.2.7,192.0.2.8", "hello,world"]);
    }
    expect(Number(dns2["frame.len"])).toBeLessThan(Number(dns1["frame.len"]));
    expect([icmp["icmp.checksum.status"], icmp["vlan.id"]]).toEqual([GOOD, "42"]);
    expect([v6tcp["ipv6.src"], v6tcp["ipv6.dst"], v6tcp["tcp.checksum.status"], v6tcp["tcp.flags"]]).toEqual([c6, s6, GOOD, "0x0118"]);
    expect(v6tcp["frame.protocols"]).toBe("eth:ethertype:ipv6:ipv6.hopopts:ipv6.routing:ipv6.fraghdr:ipv6.dstopts:tcp:data");
    expect([v6tcp["ipv6.flow"], v6tcp["ipv6.tclass"], v6tcp["ipv6.hopopts.len_oct"], v6tcp["ipv6.routing.len_oct"], v6tcp["ipv6.fraghdr.ident"], v6tcp["ipv6.dstopts.len_oct"]])
      .toEqual(["0x012345", "0x000000b8", "8", "24", "0xdeadbeef", "8"]);
    expect(icmp6["icmpv6.checksum.status"]).toBe(GOOD);
    expect(v6udp["udp.checksum.status"]).toBe(GOOD);
    expect([frag["ip.flags.mf"], frag["ip.id"], frag["ip.hdr_len"], frag["ip.checksum.status"]]).toEqual(["1", "0x4242", "24", GOOD]);
    expect(["185", "1480"]).toContain(frag["ip.frag_offset"]); // field units differ across Wireshark versions
    expect([arpRow["arp.opcode"], arpRow["arp.src.proto_ipv4"], arpRow["arp.dst.proto_ipv4"], arpRow["frame.len"]]).toEqual(["1", c4, s4, "60"]);
    expect([bad["ip.checksum.status"], bad["udp.checksum.status"]]).toEqual([BAD, BAD]);
    expect([trunc["frame.len"], trunc["frame.cap_len"]]).toEqual([String(bigTcp.length), "60"]);
  }

  const records = () => [...packets.map((data, i) => ({ data, ts: tsOf(i) })), { data: bigTcp, ts: tsOf(packets.length), capLen: 60 }];

  for (const nano of [false, true]) {
    for (const bigEndian of [false, true]) {
      it(`classic pcap ${bigEndian ? "BE" : "LE"} ${nano ? "nsec" : "usec"}`, () => {
        const file = write(`p-${nano}-${bigEndian}.pcap`, B.pcap(records(), { nano, bigEndian, snaplen: 65535 }));
        checkPackets(tshark(file, FIELDS), nano);
        if (hasCapinfos) {
          const info = capinfos(file);
          expect(info).toMatch(nano ? /File type:\s+Wireshark\/tcpdump\/\.\.\. - nanosecond pcap/ : /File type:\s+Wireshark\/tcpdump\/\.\.\. - pcap/);
          expect(info).toMatch(/File encapsulation:\s+Ethernet/);
          expect(info).toMatch(new RegExp(`File timestamp precision:\\s+${nano ? "nanoseconds \\(9\\)" : "microseconds \\(6\\)"}`));
          expect(info).toMatch(/Packet size limit:\s+file hdr: 65535 bytes/);
          expect(info).toMatch(new RegExp(`Number of packets:\\s+${packets.length + 1}\\b`));
        }
      });
    }
  }

  it("pcapng: two interfaces (ns and 2^-10 + tsoffset), SPB, PB, NRB, ISB, DSB, custom block", () => {
    const sllPkt = B.sll({ pkttype: 4, addr: "02:00:00:00:00:09", payload: B.ipv4({ src: c4, dst: s4, proto: 17, payload: B.udp({ src: c4, dst: s4, dstPort: 53, payload: dnsSpec(true) }) }) });
    const file = write("two-ifaces.pcapng", B.pcapng({ hardware: "hw", os: "os", userappl: "tracecap-test", comment: "section", blocks: [
      { type: "idb", linkType: B.LINKTYPE.ETHERNET, snaplen: 65535, tsresol: 9, name: "eth0", description: "first" },
      { type: "idb", linkType: B.LINKTYPE.LINUX_SLL, snaplen: 65535, tsresol: 0x80 | 10, tsoffset: 1000n, name: "any" },
      { type: "epb", iface: 0, ts: { sec: 1700000000, nsec: 123456789 }, data: packets[0], comment: "first packet", flags: 1 },
      { type: "epb", iface: 1, ts: { sec: 1700000000, nsec: 500000000 }, data: sllPkt },
      { type: "epb", iface: 1, ts: 1700000001n * 1024n + 3n, data: sllPkt },
      { type: "nrb", records: [{ ip: c4, names: "client.test" }, { ip: s6, names: ["server6.test", "alias6.test"] }] },
      { type: "custom", data: B.ascii("opaque custom data") },
      { type: "spb", data: packets[3] },
      { type: "pb", iface: 0, drops: 2, ts: 1700000009000000000n, data: bigTcp, capLen: 100 },
      { type: "epb", iface: 0, ts: 1700000010n * 1000000000n, data: packets[4] },
      { type: "isb", iface: 0, ts: 1700000011n * 1000000000n, ifRecv: 10, ifDrop: 1 },
      { type: "dsb", data: B.ascii("CLIENT_RANDOM 00 11\n") },
    ] }));
    const rows = tshark(file, [...FIELDS, "frame.comment", "ip.src_host"], ["-N", "n"]).filter((r) => r["frame.interface_id"] !== "");
    expect(rows.map((r) => r["frame.time_epoch"])).toEqual([
      "1700000000.123456789", "1700001000.500000000", expect.stringMatching(/^1700001001\.00292968[78]$/), "", "1700000009.000000000", "1700000010.000000000"]);
    expect(rows.map((r) => r["frame.interface_id"])).toEqual(["0", "1", "1", "0", "0", "0"]);
    expect(rows.map((r) => r["frame.protocols"].split(":")[0])).toEqual(["eth", "sll", "sll", "eth", "eth", "eth"]);
    expect(rows.map((r) => [r["frame.len"], r["frame.cap_len"]])).toEqual([
      [packets[0].length, packets[0].length], [sllPkt.length, sllPkt.length], [sllPkt.length, sllPkt.length],
      [packets[3].length, packets[3].length], [bigTcp.length, 100], [packets[4].length, packets[4].length]].map((x) => x.map(String)));
    const [p0, s1, s2, spb, , v6] = rows;
    expect([p0["frame.comment"], p0["ieee8021ad.id"], p0["vlan.id"], p0["tcp.checksum.status"]]).toEqual(["first packet", "100", "200", GOOD]);
    expect(p0["ip.src_host"]).toBe(c4); // the NRB comes later in the file
    for (const s of [s1, s2]) {
      expect([s["sll.pkttype"], s["sll.src.eth"], s["udp.checksum.status"], s["dns.a"], s["dns.qry.name"]])
        .toEqual(["4", "02:00:00:00:00:09", GOOD, "192.0.2.7,192.0.2.8", "www.example.com"]);
    }
    expect([spb["icmp.checksum.status"], spb["vlan.id"], spb["ip.src_host"]]).toEqual([GOOD, "42", "client.test"]);
    expect(v6["tcp.checksum.status"]).toBe(GOOD);
    const hosts = spawnSync("tshark", ["-r", file, "-q", "-z", "hosts"], { encoding: "utf8" }).stdout;
    expect(hosts).toMatch(/10\.1\.2\.3\s+client\.test/);
    expect(hosts).toMatch(/2001:db8:1::b\s+(server6|alias6)\.test/ /* tshark keeps one name per address */);

    if (hasCapinfos) {
      const info = capinfos(file);
      expect(info).toMatch(/File type:\s+Wireshark\/\.\.\. - pcapng/);
      expect(info).toMatch(/Number of packets:\s+6\b/);
      expect(info).toMatch(/Capture hardware:\s+hw/);
      expect(info).toMatch(/Capture application:\s+tracecap-test/);
      expect(info).toMatch(/Number of interfaces in file: 2/);
      expect(info).toMatch(/Name = eth0[\s\S]*Encapsulation = Ethernet[\s\S]*Time resolution = 0x09[\s\S]*Number of stat entries = 1/);
      expect(info).toMatch(/Name = any[\s\S]*Encapsulation = Linux cooked-mode capture v1[\s\S]*Time ticks per second = 1024[\s\S]*Timestamp offset = 1000/);
      expect(info).toMatch(/Number of resolved IPv4 addresses in file: 1/);
      expect(info).toMatch(/Number of resolved IPv6 addresses in file: 2/ /* counted per name */);
      expect(info).toMatch(/Number of decryption secrets in file: 1/);
    }

    // Structural oracle: Wireshark's own pcapng file dissector (MIME Files Format).
    const mime = tshark(file, ["pcapng.block.type", "pcapng.block.length", "pcapng.block.length_trailer", "_ws.expert.message", "pcapng.records.record.data.name"],
      ["-X", "read_format:MIME Files Format"]);
    expect(mime).toHaveLength(1);
    expect(mime[0]["pcapng.block.type"]).toBe("0x0a0d0d0a,0x00000001,0x00000001,0x00000006,0x00000006,0x00000006,0x00000004,0x00000bad,0x00000003,0x00000002,0x00000006,0x00000005,0x0000000a");
    expect(mime[0]["pcapng.block.length"]).toBe(mime[0]["pcapng.block.length_trailer"]);
    expect(mime[0]["_ws.expert.message"]).toBe("");
    expect(mime[0]["pcapng.records.record.data.name"]).toBe("client.test,server6.test,alias6.test");
  });

  it("pcapng structural oracle flags a broken block (negative control)", () => {
    const file = write("broken.pcapng", B.pcapng({ blocks: [{ type: "idb" }, { type: "raw", blockType: 6, body: new Uint8Array(20), totalLength: 36 }] }));
    const mime = tshark(file, ["pcapng.block.length", "pcapng.block.length_trailer", "_ws.expert.message"], ["-X", "read_format:MIME Files Format"]);
    expect(mime[0]["_ws.expert.message"]).not.toBe("");
  });

  it("pcapng: big-endian section, SLL2/null/loop link types, FCS, second section", () => {
    const icmp = B.ipv4({ src: c4, dst: s4, proto: 1, payload: B.icmp4({ id: 1, seq: 2 }) });
    const v6udp = B.ipv6({ src: c6, dst: s6, nextHeader: 17, payload: B.udp({ src: c6, dst: s6, payload: B.ascii("y") }) });
    const file = write("linktypes.pcapng", B.pcapng([{ bigEndian: true, sectionLength: "auto", blocks: [
      { type: "idb", linkType: B.LINKTYPE.LINUX_SLL2 },
      { type: "idb", linkType: B.LINKTYPE.NULL },
      { type: "idb", linkType: B.LINKTYPE.LOOP },
      { type: "idb", linkType: B.LINKTYPE.ETHERNET, fcslen: 4 },
      { type: "epb", iface: 0, ts: 1.5, data: B.sll2({ ifindex: 7, pkttype: 4, payload: icmp }) },
      { type: "epb", iface: 1, ts: 2, data: B.nullLoop({ payload: icmp }) },
      { type: "epb", iface: 1, ts: 3, data: B.nullLoop({ family: B.AF.INET6_BSD, bigEndian: true, payload: v6udp }) },
      { type: "epb", iface: 2, ts: 4, data: B.loop({ family: B.AF.INET, payload: icmp }) },
      { type: "epb", iface: 3, ts: 5, data: B.ethernet({ payload: icmp, fcs: true }) },
      { type: "epb", iface: 3, ts: 6, data: B.ethernet({ payload: icmp, fcs: 0x12345678 }) },
    ] }, { blocks: [
      { type: "idb", linkType: B.LINKTYPE.ETHERNET, tsresol: 3 },
      { type: "epb", ts: 7.25, data: B.ethernet({ payload: icmp }) },
    ] }]));
    const rows = tshark(file, FIELDS);
    expect(rows.map((r) => r["frame.time_epoch"])).toEqual(["1.500000000", "2.000000000", "3.000000000", "4.000000000", "5.000000000", "6.000000000", "7.250000000"]);
    expect(rows.map((r) => r["frame.protocols"])).toEqual([
      "sll:ethertype:ip:icmp", "null:ip:icmp", "null:ipv6:udp:data", "null:ip:icmp", "eth:ethertype:ip:icmp", "eth:ethertype:ip:icmp", "eth:ethertype:ip:icmp"]);
    expect([rows[0]["sll.ifindex"], rows[0]["sll.pkttype"]]).toEqual(["7", "4"]);
    expect(rows.slice(1, 4).map((r) => r["null.family"])).toEqual(["2", "24", "2"]);
    expect(rows[2]["udp.checksum.status"]).toBe(GOOD);
    expect(rows.filter((r) => r["icmp.checksum.status"] !== "").every((r) => r["icmp.checksum.status"] === GOOD)).toBe(true);
    expect([rows[4]["eth.fcs.status"], rows[5]["eth.fcs.status"]]).toEqual([GOOD, BAD]);
    if (hasCapinfos) {
      const info = capinfos(file);
      expect(info).toMatch(/Linux cooked-mode capture v2 \(1\)/);
      expect(info).toMatch(/NULL\/Loopback \(2\)/);
      expect(info).toMatch(/OpenBSD loopback \(1\)/);
      expect(info).toMatch(/Ethernet \(3\)/);
      expect(info).toMatch(/FCS length = 4/);
    }
    const mime = tshark(file, ["pcapng.section_header.section_length", "pcapng.section_header.byte_order_magic", "_ws.expert.message"], ["-X", "read_format:MIME Files Format"]);
    expect(mime[0]["_ws.expert.message"]).toBe("");
    expect(mime[0]["pcapng.section_header.section_length"].split(",")[0]).not.toBe("-1");
  });

  it("classic pcap with SLL2, null (both byte orders) and loop link types", () => {
    const icmp = B.ipv4({ src: c4, dst: s4, proto: 1, payload: B.icmp4({ id: 3, seq: 4, payload: B.ascii("xyz") }) });
    const cases: Array<[number, Uint8Array, string]> = [
      [B.LINKTYPE.LINUX_SLL2, B.sll2({ ifindex: 2, payload: icmp }), "sll:ethertype:ip:icmp:data"],
      [B.LINKTYPE.LINUX_SLL, B.sll({ payload: icmp }), "sll:ethertype:ip:icmp:data"],
      [B.LINKTYPE.NULL, B.nullLoop({ payload: icmp }), "null:ip:icmp:data"],
      [B.LINKTYPE.NULL, B.nullLoop({ payload: icmp, bigEndian: true }), "null:ip:icmp:data"],
      [B.LINKTYPE.LOOP, B.loop({ payload: icmp }), "null:ip:icmp:data"],
      [B.LINKTYPE.RAW, icmp, "raw:ip:icmp:data"],
    ];
    cases.forEach(([linkType, data, protos], i) => {
      const file = write(`lt-${i}.pcap`, B.pcap([{ data, ts: 1700000000.25 }], { linkType, bigEndian: i % 2 === 1 }));
      const [r] = tshark(file, FIELDS);
      expect([r["frame.protocols"], r["frame.time_epoch"], r["icmp.checksum.status"], r["ip.src"]], `linktype ${linkType}`)
        .toEqual([protos, "1700000000.250000000", GOOD, c4]);
    });
  });

  it("DNS record types decode identically with and without compression", () => {
    const answers: B.DnsRecord[] = [
      { name: "example.com", type: "MX", data: { preference: 10, name: "mail.example.com" } },
      { name: "example.com", type: "SOA", data: { mname: "ns1.example.com", rname: "hostmaster.example.com", serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 } },
      { name: "_sip._tcp.example.com", type: "SRV", data: { priority: 1, weight: 2, port: 5060, target: "sip.example.com" } },
      { name: "example.com", type: "AAAA", data: "2001:db8::5" },
      { name: "4.3.2.1.in-addr.arpa", type: "PTR", data: "host.example.com" },
      { name: "example.com", type: "NS", data: "ns1.example.com" },
      { name: "example.com", type: "TXT", data: ["v=spf1 -all"] },
      { name: "example.com", type: "URI", data: { priority: 10, weight: 1, target: "https://example.com/" } },
      { name: "example.com", type: 99, data: B.hex("00 01 02") },
    ];
    const msg = (compress: boolean) => B.dns({ questions: [{ name: "example.com", type: "ANY" }], answers,
      authorities: [{ name: "example.com", type: "NS", data: "ns2.example.com" }],
      additionals: [{ name: "ns2.example.com", type: "A", data: "192.0.2.53" }, B.dnsOpt({ udpSize: 1232, do: true, options: [{ code: 10, data: B.hex("0102030405060708") }] })], compress });
    const pkt = (compress: boolean) => B.ethernet({ payload: B.ipv4({ proto: 17, payload: B.udp({ srcPort: 53, dstPort: 40000, payload: msg(compress) }) }) });
    const file = write("dns.pcap", B.pcap([pkt(false), pkt(true)]));
    const f = ["dns.qry.name", "dns.resp.name", "dns.resp.type", "dns.mx.preference", "dns.mx.mail_exchange", "dns.soa.mname", "dns.soa.rname", "dns.soa.serial_number",
      "dns.soa.minimum_ttl", "dns.srv.service", "dns.srv.proto", "dns.srv.priority", "dns.srv.port", "dns.srv.target", "dns.aaaa", "dns.ptr.domain_name", "dns.ns", "dns.txt", "dns.a", "dns.rr.udp_payload_size",
      "dns.opt.cookie.client", "dns.count.answers", "dns.count.auth_rr", "dns.count.add_rr", "udp.checksum.status", "_ws.malformed"];
    const [plain, packed] = tshark(file, f);
    expect(packed).toEqual(plain);
    expect(plain).toMatchObject({
      "dns.qry.name": "example.com", "dns.resp.type": "15,6,33,28,12,2,16,256,99,2,1,41", "dns.mx.preference": "10", "dns.mx.mail_exchange": "mail.example.com",
      "dns.soa.mname": "ns1.example.com", "dns.soa.rname": "hostmaster.example.com", "dns.soa.serial_number": "2024010101", "dns.soa.minimum_ttl": "300",
      "dns.srv.service": "_sip", "dns.srv.proto": "_tcp", "dns.srv.priority": "1", "dns.srv.port": "5060", "dns.srv.target": "sip.example.com", "dns.aaaa": "2001:db8::5", "dns.ptr.domain_name": "host.example.com",
      "dns.ns": "ns1.example.com,ns2.example.com", "dns.txt": "v=spf1 -all", "dns.a": "192.0.2.53", "dns.rr.udp_payload_size": "1232",
      "dns.opt.cookie.client": "0102030405060708", "dns.count.answers": "9", "dns.count.auth_rr": "1", "dns.count.add_rr": "2",
      "udp.checksum.status": GOOD, "_ws.malformed": "",
    });
    expect(plain["dns.resp.name"].split(",")).toEqual(["example.com", "example.com", "example.com", "4.3.2.1.in-addr.arpa", "example.com",
      "example.com", "example.com", "example.com", "example.com", "ns2.example.com", "<Root>"]);
  });
});
