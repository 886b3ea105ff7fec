// Checks the tunnel specs' header bytes against Wireshark: each case is written as one packet by
// text2pcap (with its dummy Ethernet/IPv4/UDP headers) and decoded by tshark, and tshark's
// field values must equal the values the specs expect from the same bytes. Not part of the
// test run (it needs tshark and text2pcap); run it by hand after changing a spec's hex:
//   node test/core/wire/tshark-check.mjs
// Checked with TShark 4.0.17.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const IP4 = "45000014000040004001b9e60a0000010a000002";
const ETH = "003088010002 00163e37f604 0800" + IP4;
const IP6 = "60000000 0000 3b 40 20010db8000000000000000000000001 20010db8000000000000000000000002";

// [name, text2pcap options, hex, tshark fields, expected values (fields joined by " ", occurrences
// by ","; gre.checksum.status 1 is "Good"; the AYIYA epoch 0x5f5e1000 is 1600000000 s)]
const CASES = [
  ["vxlan.spec VXLAN", ["-u", "50000,4789"], "08 000000 000064 00" + ETH,
    ["vxlan.flags", "vxlan.vni", "eth.dst"], "0x0800 100 20:52:45:43:56:00,00:30:88:01:00:02"],
  ["vxlan.spec GPE", ["-u", "50000,4790"], "0f 0000 02 00abcd 00" + IP6,
    ["vxlan.flags", "vxlan.next_proto", "vxlan.vni", "ipv6.src"], "0x0f 2 43981 2001:db8::1"],
  ["geneve.spec OPTS", ["-u", "50000,6081"], "0340 6558 001389 00 0102 80 01 deadbeef ffff 01 00" + ETH,
    ["geneve.version", "geneve.flags.critical", "geneve.flags.oam", "geneve.proto_type", "geneve.vni",
      "geneve.option.class", "geneve.option.type", "geneve.option.length"],
    "0 1 0 0x6558 0x001389 0x0102,0xffff 0x80,0x01 12,8,4"],
  ["gre.spec CKS", ["-i", "47"], "b000 0800 b0f2 0000 01020304 00000007" + IP4,
    ["gre.flags_and_version", "gre.proto", "gre.checksum", "gre.checksum.status", "gre.offset", "gre.key", "gre.sequence_number"],
    "0xb000 0x0800 0xb0f2 1 0 0x01020304 7"],
  ["gre.spec ROUTED", ["-i", "47"], "c000 0800 9298 0000 0800 00 04 0a000063 0000 00 00" + IP4,
    ["gre.flags_and_version", "gre.checksum", "gre.routing.address_family", "gre.routing.src_length", "ip.src"],
    "0xc000 0x9298 2048,0 4,0 10.1.1.1,10.0.0.1"],
  ["gre.spec PPTP", ["-i", "47"], "3081 880b 0018 4000 00000003 00000002 ff030021" + IP4,
    ["gre.flags_and_version", "gre.proto", "gre.key.payload_length", "gre.key.call_id", "gre.sequence_number", "gre.ack_number"],
    "0x3081 0x880b 24 16384 3 2"],
  ["erspan.spec TYPE2", ["-i", "47"], "100088be 0000002a 1064 b465 00012345" + ETH,
    ["erspan.version", "erspan.vlan", "erspan.cos", "erspan.encap", "erspan.truncated", "erspan.spanid", "erspan.index", "eth.dst"],
    "1 100 5 2 1 101 74565 20:52:45:43:56:00,00:30:88:01:00:02"],
  ["erspan.spec TYPE3", ["-i", "47"], "100022eb 0000002b 2064 6bff 01020304 abcd 82af 0c000005 11223344" + ETH,
    ["erspan.version", "erspan.vlan", "erspan.cos", "erspan.bso", "erspan.truncated", "erspan.spanid", "erspan.timestamp",
      "erspan.sgt", "erspan.p", "erspan.ft", "erspan.hw", "erspan.direction", "erspan.gra", "erspan.o", "erspan.platid",
      "erspan.pid3.port_index", "erspan.pid3.timestamp"],
    "2 100 3 1 0 1023 16909060 43981 1 0 42 1 3 1 3 5 287454020"],
  ["erspan.spec TYPE3_IP", ["-i", "47"], "100022eb 0000002c 2064 6bff 01020304 abcd 0800" + IP4,
    ["erspan.version", "erspan.p", "erspan.ft", "erspan.direction", "erspan.gra", "erspan.o"], "2 0 2 0 0 0"],
  ["gre.spec TYPE1", ["-i", "47"], "0000 88be ffffffffffff 0015fadca1f7 8100 0001 0806 0001 0800 0604 0001",
    ["gre.proto", "vlan.id", "arp.opcode"], "0x88be 1 1"],
  ["gtpu.spec EXT1", ["-u", "2152,2152"], "34 ff 001c 00000001 0000 00 85 01 10 09 00" + IP4,
    ["gtp.flags", "gtp.message", "gtp.length", "gtp.teid", "gtp.ext_hdr.next", "gtp.ext_hdr.length", "gtp.ext_hdr.pdu_ses_con.qos_flow_id", "ip.dst"],
    "0x34 0xff 28 0x00000001 0x85,0x00 1 9 10.2.2.2,10.0.0.2"],
  ["gtpu.spec EXT2", ["-u", "2152,2152"], "37 ff 0020 12345678 abcd 05 c0 01 1234 85 01 10 09 00" + IP4,
    ["gtp.flags", "gtp.length", "gtp.teid", "gtp.seq_number", "gtp.npdu_number", "gtp.ext_hdr.next", "gtp.ext_hdr.length", "gtp.ext_hdr.pdcp_sn"],
    "0x37 32 0x12345678 0xabcd 0x05 0xc0,0x85,0x00 1,1 4660"],
  ["gtpu.spec SEQ", ["-u", "2152,2152"], "32 ff 002c 12345678 0007 00 00" + IP6,
    ["gtp.flags", "gtp.length", "gtp.seq_number", "ipv6.src"], "0x32 44 0x0007 2001:db8::1"],
  ["teredo.spec AUTH+ORIGIN", ["-u", "3544,50000"], "0001 02 03 abcd 010203 0102030405060708 00 0000 f227 c0a8fffe" + IP6,
    ["teredo.auth.idlen", "teredo.auth.aulen", "teredo.auth.id", "teredo.auth.value", "teredo.auth.nonce", "teredo.auth.conf",
      "teredo.orig.port", "teredo.orig.addr", "ipv6.src"],
    "2 3 abcd 010203 0102030405060708 00 3544 63.87.0.1 2001:db8::1"],
  ["teredo.spec AUTH0", ["-u", "50000,3544"], "0001 00 00 a1a2a3a4a5a6a7a8 01" + IP6,
    ["teredo.auth.idlen", "teredo.auth.aulen", "teredo.auth.nonce", "teredo.auth.conf", "ipv6.dst"],
    "0 0 a1a2a3a4a5a6a7a8 01 2001:db8::2"],
  ["ayiya.spec FWD", ["-u", "50000,5072"],
    "41 52 11 29 5f5e1000 20010db8000000000000000000000001 000102030405060708090a0b0c0d0e0f10111213" + IP6,
    ["ayiya.idlen", "ayiya.idtype", "ayiya.siglen", "ayiya.hashmethod", "ayiya.authmethod", "ayiya.opcode", "ayiya.nextheader", "ayiya.epoch", "ipv6.src"],
    "0x04 0x01 0x05 0x02 0x01 0x01 0x29 Sep 13, 2020 12:26:40.000000000 UTC 2001:db8::1"],
  ["ayiya.spec NOOP", ["-u", "50000,5072"], "00 00 00 3b 00000000 00",
    ["ayiya.idlen", "ayiya.siglen", "ayiya.opcode", "ayiya.nextheader", "ayiya.identity"], "0x00 0x00 0x00 0x3b 00"],
  ["etherip.spec", ["-i", "97"], "3000" + ETH, ["etherip.ver", "etherip.reserved", "eth.dst"], "3 0x0000 20:52:45:43:56:00,00:30:88:01:00:02"],
  ["mpls.spec TWO", ["-e", "0x8847"], "00064a3f 000001fe" + IP4,
    ["mpls.label", "mpls.exp", "mpls.bottom", "mpls.ttl", "ip.src"], "100,0 5,0 0,1 63,254 10.0.0.1"],
  ["mpls.spec 8 labels", ["-e", "0x8847"], "00010040".repeat(7) + "00011140" + IP4,
    ["mpls.label", "mpls.bottom", "ip.src"], "16,16,16,16,16,16,16,17 0,0,0,0,0,0,0,1 10.0.0.1"],
  ["mpls.spec GAL", ["-e", "0x8847"], "0000d1ff 10000000 0000", ["mpls.label", "mpls.bottom"], "13 1"],
  ["mpls.spec IPv6 explicit null", ["-e", "0x8847"], "000021ff" + IP6, ["mpls.label", "mpls.bottom", "ipv6.src"], "2 1 2001:db8::1"],
  // "pwethcw": tshark found the PW Ethernet control word, then the frame.
  ["mpls.spec control word", ["-e", "0x8847"], "0007d1ff 00000000 529a00c84f88 529a00825c62 0800" + IP4,
    ["mpls.label", "pwethcw", "eth.dst"], "125 pwethcw 20:52:45:43:56:00,52:9a:00:c8:4f:88"],
  ["gre.spec PPTP ack", ["-i", "47"], "2081 880b 0000 4000 00000002",
    ["gre.flags_and_version", "gre.key.payload_length", "gre.key.call_id", "gre.ack_number"], "0x2081 0 16384 2"],
  ["etherip.spec reserved", ["-i", "97"], "3fff" + ETH, ["etherip.ver", "etherip.reserved"], "3 0x0fff"],
  ["ayiya.spec echo and forward", ["-u", "50000,5072"], "10 00 13 04 00000001 abcd" + IP4,
    ["ayiya.idlen", "ayiya.opcode", "ayiya.nextheader", "ayiya.identity"], "0x01 0x03 0x04 abcd"],
  ["gtpu.spec echo request", ["-u", "2152,2152"], "30 01 0000 00000000", ["gtp.flags", "gtp.message", "gtp.length", "gtp.teid"], "0x30 0x01 0 0x00000000"],
  // The link layers' decoders (link.ts's walk): -l names the pcap link type, else an Ethernet header carries them.
  ["ppp.spec framed", ["-l", "9"], "ff03 0021" + IP4, ["ppp.address", "ppp.control", "ppp.protocol", "ip.src"], "0xff 0x03 0x0021 10.0.0.1"],
  ["ppp.spec unframed", ["-l", "9"], "0021" + IP4, ["ppp.protocol", "ip.src"], "0x0021 10.0.0.1"],
  ["ppp.spec compressed", ["-l", "9"], "21" + IP4, ["ppp.protocol", "ip.src"], "0x0021 10.0.0.1"],
  ["ppp.spec framed compressed", ["-l", "50"], "ff03 21" + IP4, ["ppp.protocol", "ip.src"], "0x0021 10.0.0.1"],
  ["link.spec PPP_HDLC Cisco framing", ["-l", "50"], "8f00 0800" + IP4, ["chdlc.address", "chdlc.protocol", "ip.src"], "0x8f 0x0800 10.0.0.1"],
  ["pppoe.spec", ["-e", "0x8864"], "1100 0011 0016 0021" + IP4,
    ["pppoe.version", "pppoe.type", "pppoe.code", "pppoe.session_id", "pppoe.payload_length", "ppp.protocol", "ip.src"], "1 1 0x00 0x0011 22 0x0021 10.0.0.1"],
  ["chdlc.spec", ["-l", "104"], "0f00 0800" + IP4, ["chdlc.address", "chdlc.protocol", "ip.src"], "0x0f 0x0800 10.0.0.1"],
  ["llc.spec SNAP", [], "020000000002 020000000001 001c aaaa03 000000 0800" + IP4, ["llc.dsap", "llc.ssap", "llc.oui", "llc.type", "ip.src"], "0xaa 0xaa 0 0x0800 10.0.0.1"],
  ["llc.spec bridge tunnel", [], "020000000002 020000000001 001c aaaa03 0000f8 0800" + IP4, ["llc.oui", "llc.type", "ip.src"], "248 0x0800 10.0.0.1"],
  // An SSAP with the response bit is not SNAP to tshark (RFC 1042's SSAP is 170): nothing after the LLC header.
  ["llc.spec response SSAP", [], "020000000002 020000000001 001c aaab03 000000 0800" + IP4, ["llc.ssap", "llc.type", "ip.src"], "0xab"],
  ["pbb.spec", ["-e", "0x88a8"], "0064 88e7 b8012345 020000000004 020000000003 8100 00c8 0800" + IP4,
    ["ieee8021ah.priority", "ieee8021ah.drop", "ieee8021ah.nca", "ieee8021ah.isid", "ieee8021ah.cdst", "vlan.id", "ip.src"], "5 1 1 74565 02:00:00:00:00:04 200 10.0.0.1"],
  ["etag.spec E-Tag", ["-e", "0x893f"], "6123 1456 0000 0800" + IP4,
    ["etag.pcp", "etag.iecid_base", "etag.group", "etag.ecid_base", "etag.etype", "ip.src"], "3 0x0123 1 0x0456 0x0800 10.0.0.1"],
  ["etag.spec VN-Tag", ["-e", "0x8926"], "80010002 0800" + IP4, ["vntag.dir", "vntag.dst", "vntag.src", "vntag.etype", "ip.src"], "1 1 2 0x0800 10.0.0.1"],
  ["fabricpath.spec", ["-e", "0x8903"], "0123 020000000004 020000000003 0800" + IP4, ["cfp.ftag", "cfp.ttl", "eth.dst", "ip.src"],
    "4 35 02:00:00:00:00:04 10.0.0.1"],
  ["nsh.spec MD2", ["-e", "0x894f"], "0fc20201 00000aff" + IP4, ["nsh.version", "nsh.ttl", "nsh.length", "nsh.mdtype", "nsh.nextproto", "nsh.spi", "nsh.si", "ip.src"],
    "0 0x003f 2 2 1 10 255 10.0.0.1"],
  ["nsh.spec MD1 Ethernet", ["-e", "0x894f"], "0fc60103 00007b05 00000000 00000000 00000000 00000000 020000000004 020000000003 0800" + IP4,
    ["nsh.length", "nsh.mdtype", "nsh.nextproto", "nsh.spi", "nsh.si", "ip.src"], "6 1 3 123 5 10.0.0.1"],
  ["nflog.spec", ["-l", "239"], "02 00 0014 0800 0100 08000300 0500 0a00 00000000" + "1800 0900" + IP4,
    ["nflog.family", "nflog.version", "nflog.res_id", "nflog.tlv_type", "ip.src"], "2 0 20 1,10,9 10.0.0.1"],
  ["radiotap.spec TSFT and Flags", ["-l", "127"], "00001100 03000000 0000000000000000 10 0801 0000 021111111111 022222222222 023333333333 1000 aaaa03 000000 0800" + IP4 + "deadbeef",
    ["radiotap.length", "radiotap.flags.fcs", "wlan.da", "wlan.sa", "ip.src"], "17 1 02:33:33:33:33:33 02:22:22:22:22:22 10.0.0.1"],
  ["dot11.spec QoS +HTC, four addresses", ["-l", "105"], "8883 0000 021111111111 022222222222 023333333333 1000 024444444444 0000 00000000 aaaa03 000000 0800" + IP4,
    ["wlan.fc.type_subtype", "wlan.da", "wlan.sa", "ip.src"], "0x0028 02:33:33:33:33:33 02:44:44:44:44:44 10.0.0.1"],
  ["dot11.spec From DS", ["-l", "105"], "0802 0000 021111111111 022222222222 023333333333 1000 aaaa03 000000 0800" + IP4,
    ["wlan.da", "wlan.sa", "ip.src"], "02:11:11:11:11:11 02:33:33:33:33:33 10.0.0.1"],
  ["dot11.spec protected", ["-l", "105"], "0841 0000 021111111111 022222222222 023333333333 1000 aaaa03 000000 0800" + IP4,
    ["wlan.fc.protected", "ip.src"], "1"],
  ["fddi.spec", ["-l", "10"], "50 020000000002 020000000001 aaaa03 000000 0800" + IP4, ["fddi.fc", "llc.type", "ip.src"], "0x50 0x0800 10.0.0.1"],
];

const dir = mkdtempSync(join(tmpdir(), "tshark-check-"));
let failed = 0;
try {
  for (const [name, opts, hex, fields, want] of CASES) {
    const bytes = Buffer.from(hex.replaceAll(" ", ""), "hex");
    let dump = "";
    for (let o = 0; o < bytes.length; o += 16) {
      dump += o.toString(16).padStart(6, "0") + " " + [...bytes.subarray(o, o + 16)].map((b) => b.toString(16).padStart(2, "0")).join(" ") + "\n";
    }
    const txt = join(dir, "p.txt"), pcap = join(dir, "p.pcap");
    writeFileSync(txt, dump);
    execFileSync("text2pcap", ["-q", ...opts, txt, pcap], { stdio: ["ignore", "ignore", "ignore"] });
    const args = ["-r", pcap, "-T", "fields", "-E", "separator= ", "-E", "occurrence=a", "-E", "aggregator=,"];
    for (const f of fields) args.push("-e", f);
    const got = execFileSync("tshark", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, TZ: "UTC" } }).trim();
    if (got === want) console.log(`ok   ${name}: ${got}`);
    else { failed++; console.log(`DIFF ${name}:\n  tshark ${got}\n  specs  ${want}`); }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failed) { console.log(`${failed} of ${CASES.length} differ`); process.exit(1); }
console.log(`all ${CASES.length} agree`);
