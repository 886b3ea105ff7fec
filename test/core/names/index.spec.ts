// Specs for assembly/names: the static name tables ported from gopacket v1.1.19.
// Port expectations come from two places: hand-checked examples (from gopacket's
// layers/iana_ports.go) and ports.fixture.ts, which gen-names.mjs computes straight from
// scripts/data/names/iana-ports.tsv (counts, digests, pseudo-random samples).

import {
  tcpPortName, udpPortName, etherTypeName, ipProtocolName,
  dnsTypeName, dnsClassName, dnsRcodeName, dnsOpcodeName, dnsOptCodeName,
  icmp4TypeName, icmp4CodeName, icmp4HasCodeTable,
  icmp6TypeName, icmp6CodeName, icmp6HasCodeTable,
  nameLength, nameBytes,
} from "../../../assembly/names/index";
import {
  TCP_NAMED, UDP_NAMED, TCP_MAX_LEN, UDP_MAX_LEN, TCP_DIGEST, UDP_DIGEST,
  TCP_SAMPLE_PORTS, TCP_SAMPLE_NAMES, UDP_SAMPLE_PORTS, UDP_SAMPLE_NAMES,
} from "./ports.fixture";

const NONE = "<none>";

/** The name at p as a string ("<none>" for 0). Allocates, which is fine in specs. */
function str(p: usize): string {
  if (p == 0) return NONE;
  return String.UTF8.decodeUnsafe(p + 1, <usize>load<u8>(p));
}

/** Whether the name at p is 1..255 bytes of printable ASCII. */
function wellFormed(p: usize): bool {
  const n = <i32>load<u8>(p);
  if (n < 1) return false;
  for (let i = 1; i <= n; i++) {
    const c = load<u8>(p + <usize>i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/** FNV-1a step. */
function fnv(h: u32, b: u32): u32 {
  return (h ^ (b & 0xff)) * 0x01000193;
}

/** FNV-1a over every named port (port lo, port hi, length, name bytes), as gen-names.mjs computes it. */
function portDigest(tcp: bool): u32 {
  let h: u32 = 0x811c9dc5;
  for (let port: u32 = 0; port <= 0xffff; port++) {
    const p = tcp ? tcpPortName(port) : udpPortName(port);
    if (p == 0) continue;
    h = fnv(h, port);
    h = fnv(h, port >> 8);
    const n = <i32>load<u8>(p);
    for (let i = 0; i <= n; i++) h = fnv(h, load<u8>(p + <usize>i));
  }
  return h;
}

const EDGES: StaticArray<u32> = [0, 65535, 65536, 65536 + 80, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

describe("names: tcpPortName / udpPortName", () => {
  it("gives the documented examples", () => {
    expect<string>(str(tcpPortName(80))).toBe("http");
    expect<string>(str(tcpPortName(443))).toBe("https");
    expect<string>(str(tcpPortName(8080))).toBe("http-alt");
    expect<string>(str(tcpPortName(8443))).toBe("pcsync-https");
    expect<string>(str(tcpPortName(53))).toBe("domain");
    expect<string>(str(tcpPortName(9090))).toBe("websm");
    expect<string>(str(udpPortName(53))).toBe("domain");
    expect<string>(str(udpPortName(40000))).toBe("safetynetp");
    expect<string>(str(udpPortName(123))).toBe("ntp");
  });

  it("gives different TCP and UDP names where gopacket does", () => {
    expect<string>(str(tcpPortName(113))).toBe("ident");
    expect<string>(str(udpPortName(113))).toBe("auth");
    expect<string>(str(tcpPortName(514))).toBe("shell");
    expect<string>(str(udpPortName(514))).toBe("syslog");
    expect<string>(str(tcpPortName(34567))).toBe("dhanalakshmi");
    expect<string>(str(udpPortName(34567))).toBe("edi_service");
  });

  it("gives a name to one protocol only where gopacket does", () => {
    expect<string>(str(tcpPortName(1001))).toBe("webpush");
    expect<string>(str(udpPortName(1001))).toBe(NONE);
    expect<string>(str(tcpPortName(1027))).toBe(NONE);
    expect<string>(str(udpPortName(1027))).toBe("6a44");
  });

  it("handles the first and last entries and names with spaces", () => {
    expect<string>(str(tcpPortName(1))).toBe("tcpmux");
    expect<string>(str(udpPortName(1))).toBe("tcpmux");
    expect<string>(str(tcpPortName(49001))).toBe("nusrp");
    expect<string>(str(udpPortName(49001))).toBe("nusdp-disc");
    expect<string>(str(tcpPortName(3283))).toBe("Apple Remote Desktop (Net Assistant)");
  });

  it("returns 0 for unnamed ports and out-of-range input", () => {
    expect<usize>(tcpPortName(4)).toBe(0);
    expect<usize>(udpPortName(4)).toBe(0);
    expect<usize>(tcpPortName(49002)).toBe(0);
    for (let i = 0; i < EDGES.length; i++) {
      expect<usize>(tcpPortName(EDGES[i])).toBe(0);
      expect<usize>(udpPortName(EDGES[i])).toBe(0);
    }
  });

  it("matches the pseudo-random samples from the data file", () => {
    expect<i32>(TCP_SAMPLE_PORTS.length).toBe(12);
    expect<i32>(UDP_SAMPLE_PORTS.length).toBe(12);
    for (let i = 0; i < TCP_SAMPLE_PORTS.length; i++) {
      expect<string>(str(tcpPortName(TCP_SAMPLE_PORTS[i]))).toBe(TCP_SAMPLE_NAMES[i]);
    }
    for (let i = 0; i < UDP_SAMPLE_PORTS.length; i++) {
      expect<string>(str(udpPortName(UDP_SAMPLE_PORTS[i]))).toBe(UDP_SAMPLE_NAMES[i]);
    }
  });

  it("names exactly the ports of the data file, with well-formed names", () => {
    let tcp = 0, udp = 0, tcpMax = 0, udpMax = 0, bad = 0;
    for (let port: u32 = 0; port <= 0xffff; port++) {
      const t = tcpPortName(port);
      if (t != 0) {
        tcp++;
        if (!wellFormed(t)) bad++;
        if (nameLength(t) > tcpMax) tcpMax = nameLength(t);
      }
      const u = udpPortName(port);
      if (u != 0) {
        udp++;
        if (!wellFormed(u)) bad++;
        if (nameLength(u) > udpMax) udpMax = nameLength(u);
      }
    }
    expect<i32>(bad).toBe(0);
    expect<i32>(tcp).toBe(TCP_NAMED);
    expect<i32>(udp).toBe(UDP_NAMED);
    expect<i32>(tcpMax).toBe(TCP_MAX_LEN);
    expect<i32>(udpMax).toBe(UDP_MAX_LEN);
  });

  it("reproduces the data file's digest for every port", () => {
    expect<u32>(portDigest(true)).toBe(TCP_DIGEST);
    expect<u32>(portDigest(false)).toBe(UDP_DIGEST);
  });
});

describe("names: etherTypeName / ipProtocolName", () => {
  it("gives gopacket's EthernetType names", () => {
    expect<string>(str(etherTypeName(0x0800))).toBe("IPv4");
    expect<string>(str(etherTypeName(0x86dd))).toBe("IPv6");
    expect<string>(str(etherTypeName(0x0806))).toBe("ARP");
    expect<string>(str(etherTypeName(0x8100))).toBe("Dot1Q");
    expect<string>(str(etherTypeName(0x0000))).toBe("LLC");
    expect<string>(str(etherTypeName(0x88a8))).toBe("Dot1Q"); // QinQ: gopacket names it Dot1Q too
    expect<string>(str(etherTypeName(0x88be))).toBe("ERSPAN Type II");
    expect<string>(str(etherTypeName(0x88cc))).toBe("LinkLayerDiscovery");
    expect<string>(str(etherTypeName(0x9000))).toBe("EthernetCTP");
    expect<string>(str(etherTypeName(0x01a2))).toBe("NortelDiscovery");
  });

  it("gives UnknownEthernetType for anything else", () => {
    expect<string>(str(etherTypeName(0x0801))).toBe("UnknownEthernetType");
    expect<string>(str(etherTypeName(0x10800))).toBe("UnknownEthernetType");
    for (let i = 1; i < EDGES.length; i++) {
      expect<string>(str(etherTypeName(EDGES[i]))).toBe("UnknownEthernetType");
    }
  });

  it("gives gopacket's IPProtocol names", () => {
    expect<string>(str(ipProtocolName(6))).toBe("TCP");
    expect<string>(str(ipProtocolName(17))).toBe("UDP");
    expect<string>(str(ipProtocolName(1))).toBe("ICMPv4");
    expect<string>(str(ipProtocolName(2))).toBe("IGMP");
    expect<string>(str(ipProtocolName(0))).toBe("IPv6HopByHop");
    expect<string>(str(ipProtocolName(58))).toBe("ICMPv6");
    expect<string>(str(ipProtocolName(94))).toBe("IPv4"); // IPIP
    expect<string>(str(ipProtocolName(50))).toBe("IPSecESP");
    expect<string>(str(ipProtocolName(51))).toBe("IPSecAH");
    expect<string>(str(ipProtocolName(137))).toBe("MPLS");
  });

  it("gives UnknownIPProtocol for anything else", () => {
    expect<string>(str(ipProtocolName(3))).toBe("UnknownIPProtocol");
    expect<string>(str(ipProtocolName(255))).toBe("UnknownIPProtocol");
    expect<string>(str(ipProtocolName(256 + 6))).toBe("UnknownIPProtocol");
    for (let i = 1; i < EDGES.length; i++) {
      expect<string>(str(ipProtocolName(EDGES[i]))).toBe("UnknownIPProtocol");
    }
  });

  it("never returns 0 or a malformed name", () => {
    let bad = 0;
    for (let v: u32 = 0; v <= 0x1ffff; v++) {
      const e = etherTypeName(v);
      const p = ipProtocolName(v);
      if (e == 0 || !wellFormed(e) || p == 0 || !wellFormed(p)) bad++;
    }
    expect<i32>(bad).toBe(0);
  });
});

describe("names: dns", () => {
  it("gives DNSType names", () => {
    const keys: StaticArray<u32> = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 28, 33, 41, 256];
    const names: StaticArray<string> = ["A", "NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "NULL", "WKS",
      "PTR", "HINFO", "MINFO", "MX", "TXT", "AAAA", "SRV", "OPT", "URI"];
    for (let i = 0; i < keys.length; i++) expect<string>(str(dnsTypeName(keys[i]))).toBe(names[i]);
    expect<string>(str(dnsTypeName(0))).toBe("Unknown");
    expect<string>(str(dnsTypeName(255))).toBe("Unknown");
    expect<string>(str(dnsTypeName(65536 + 1))).toBe("Unknown");
  });

  it("gives DNSClass names", () => {
    expect<string>(str(dnsClassName(1))).toBe("IN");
    expect<string>(str(dnsClassName(2))).toBe("CS");
    expect<string>(str(dnsClassName(3))).toBe("CH");
    expect<string>(str(dnsClassName(4))).toBe("HS");
    expect<string>(str(dnsClassName(255))).toBe("Any");
    expect<string>(str(dnsClassName(0))).toBe("Unknown");
    expect<string>(str(dnsClassName(254))).toBe("Unknown");
  });

  it("gives DNSResponseCode names, keeping gopacket's trailing space", () => {
    const keys: StaticArray<u32> = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 17, 18, 19, 20, 21, 22, 23];
    const names: StaticArray<string> = ["No Error", "Format Error", "Server Failure ", "Non-Existent Domain",
      "Not Implemented", "Query Refused", "Name Exists when it should not", "RR Set Exists when it should not",
      "RR Set that should exist does not", "Server Not Authoritative for zone", "Name not contained in zone",
      "Bad OPT Version", "Key not recognized", "Signature out of time window", "Bad TKEY Mode",
      "Duplicate key name", "Algorithm not supported", "Bad Truncation", "Bad Cookie"];
    for (let i = 0; i < keys.length; i++) expect<string>(str(dnsRcodeName(keys[i]))).toBe(names[i]);
    expect<i32>(nameLength(dnsRcodeName(2))).toBe(15);
    for (let c: u32 = 11; c <= 15; c++) expect<string>(str(dnsRcodeName(c))).toBe("Unknown");
    expect<string>(str(dnsRcodeName(24))).toBe("Unknown");
  });

  it("gives DNSOpCode names", () => {
    expect<string>(str(dnsOpcodeName(0))).toBe("Query");
    expect<string>(str(dnsOpcodeName(1))).toBe("Inverse Query");
    expect<string>(str(dnsOpcodeName(2))).toBe("Status");
    expect<string>(str(dnsOpcodeName(3))).toBe("Unknown");
    expect<string>(str(dnsOpcodeName(4))).toBe("Notify");
    expect<string>(str(dnsOpcodeName(5))).toBe("Update");
    expect<string>(str(dnsOpcodeName(6))).toBe("Unknown");
  });

  it("gives DNSOptionCode names", () => {
    const keys: StaticArray<u32> = [3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 26946];
    const names: StaticArray<string> = ["NSID", "DAU", "DHU", "N3U", "EDNSClientSubnet", "EDNSExpire", "Cookie",
      "EDNSKeepAlive", "CodePadding", "CodeChain", "CodeEDNSKeyTag", "EDNSClientTag", "EDNSServerTag", "DeviceID"];
    for (let i = 0; i < keys.length; i++) expect<string>(str(dnsOptCodeName(keys[i]))).toBe(names[i]);
    expect<string>(str(dnsOptCodeName(4))).toBe("Unknown");
    expect<string>(str(dnsOptCodeName(15))).toBe("Unknown");
  });

  it("gives Unknown for edge inputs", () => {
    for (let i = 0; i < EDGES.length; i++) {
      const v = EDGES[i];
      if (v == 0) continue;
      expect<string>(str(dnsTypeName(v))).toBe("Unknown");
      expect<string>(str(dnsClassName(v))).toBe("Unknown");
      expect<string>(str(dnsRcodeName(v))).toBe("Unknown");
      expect<string>(str(dnsOpcodeName(v))).toBe("Unknown");
      expect<string>(str(dnsOptCodeName(v))).toBe("Unknown");
    }
  });
});

describe("names: icmp", () => {
  it("gives ICMPv4 type names", () => {
    const keys: StaticArray<u32> = [0, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
    const names: StaticArray<string> = ["EchoReply", "DestinationUnreachable", "SourceQuench", "Redirect",
      "EchoRequest", "RouterAdvertisement", "RouterSolicitation", "TimeExceeded", "ParameterProblem",
      "TimestampRequest", "TimestampReply", "InfoRequest", "InfoReply", "AddressMaskRequest", "AddressMaskReply"];
    for (let i = 0; i < keys.length; i++) expect<string>(str(icmp4TypeName(keys[i]))).toBe(names[i]);
    expect<usize>(icmp4TypeName(1)).toBe(0);
    expect<usize>(icmp4TypeName(19)).toBe(0);
  });

  it("gives ICMPv4 code names", () => {
    const unreach: StaticArray<string> = ["Net", "Host", "Protocol", "Port", "FragmentationNeeded",
      "SourceRoutingFailed", "NetUnknown", "HostUnknown", "SourceIsolated", "NetAdminProhibited",
      "HostAdminProhibited", "NetTOS", "HostTOS", "CommAdminProhibited", "HostPrecedence", "PrecedenceCutoff"];
    for (let c = 0; c < unreach.length; c++) expect<string>(str(icmp4CodeName(3, <u32>c))).toBe(unreach[c]);
    expect<usize>(icmp4CodeName(3, 16)).toBe(0);
    expect<string>(str(icmp4CodeName(11, 0))).toBe("TTLExceeded");
    expect<string>(str(icmp4CodeName(11, 1))).toBe("FragmentReassemblyTimeExceeded");
    expect<usize>(icmp4CodeName(11, 2)).toBe(0);
    expect<string>(str(icmp4CodeName(12, 0))).toBe("PointerIndicatesError");
    expect<string>(str(icmp4CodeName(12, 1))).toBe("MissingOption");
    expect<string>(str(icmp4CodeName(12, 2))).toBe("BadLength");
    expect<string>(str(icmp4CodeName(5, 0))).toBe("Net");
    expect<string>(str(icmp4CodeName(5, 1))).toBe("Host");
    expect<string>(str(icmp4CodeName(5, 2))).toBe("TOS+Net");
    expect<string>(str(icmp4CodeName(5, 3))).toBe("TOS+Host");
    expect<usize>(icmp4CodeName(5, 4)).toBe(0);
    expect<usize>(icmp4CodeName(8, 0)).toBe(0); // EchoRequest has no code table
    expect<usize>(icmp4CodeName(3, 256)).toBe(0); // must not alias to type 4
    expect<usize>(icmp4CodeName(256 + 3, 0)).toBe(0);
  });

  it("knows which ICMPv4 types have code tables", () => {
    let n = 0;
    for (let t: u32 = 0; t < 256; t++) if (icmp4HasCodeTable(t)) n++;
    expect<i32>(n).toBe(4);
    expect<bool>(icmp4HasCodeTable(3)).toBe(true);
    expect<bool>(icmp4HasCodeTable(5)).toBe(true);
    expect<bool>(icmp4HasCodeTable(11)).toBe(true);
    expect<bool>(icmp4HasCodeTable(12)).toBe(true);
    expect<bool>(icmp4HasCodeTable(4)).toBe(false);
    expect<bool>(icmp4HasCodeTable(0)).toBe(false);
  });

  it("gives ICMPv6 type names", () => {
    const keys: StaticArray<u32> = [1, 2, 3, 4, 128, 129, 133, 134, 135, 136, 137];
    const names: StaticArray<string> = ["DestinationUnreachable", "PacketTooBig", "TimeExceeded",
      "ParameterProblem", "EchoRequest", "EchoReply", "RouterSolicitation", "RouterAdvertisement",
      "NeighborSolicitation", "NeighborAdvertisement", "Redirect"];
    for (let i = 0; i < keys.length; i++) expect<string>(str(icmp6TypeName(keys[i]))).toBe(names[i]);
    expect<usize>(icmp6TypeName(0)).toBe(0);
    expect<usize>(icmp6TypeName(130)).toBe(0); // MLD types are not in gopacket's table
    expect<usize>(icmp6TypeName(143)).toBe(0);
  });

  it("gives ICMPv6 code names", () => {
    const unreach: StaticArray<string> = ["NoRouteToDst", "AdminProhibited", "BeyondScopeOfSrc",
      "AddressUnreachable", "PortUnreachable", "SrcAddressFailedPolicy", "RejectRouteToDst"];
    for (let c = 0; c < unreach.length; c++) expect<string>(str(icmp6CodeName(1, <u32>c))).toBe(unreach[c]);
    expect<usize>(icmp6CodeName(1, 7)).toBe(0);
    expect<string>(str(icmp6CodeName(3, 0))).toBe("HopLimitExceeded");
    expect<string>(str(icmp6CodeName(3, 1))).toBe("FragmentReassemblyTimeExceeded");
    expect<string>(str(icmp6CodeName(4, 0))).toBe("ErroneousHeaderField");
    expect<string>(str(icmp6CodeName(4, 1))).toBe("UnrecognizedNextHeader");
    expect<string>(str(icmp6CodeName(4, 2))).toBe("UnrecognizedIPv6Option");
    expect<usize>(icmp6CodeName(2, 0)).toBe(0); // PacketTooBig has no code table
    expect<usize>(icmp6CodeName(137, 0)).toBe(0);
  });

  it("knows which ICMPv6 types have code tables", () => {
    let n = 0;
    for (let t: u32 = 0; t < 256; t++) if (icmp6HasCodeTable(t)) n++;
    expect<i32>(n).toBe(3);
    expect<bool>(icmp6HasCodeTable(1)).toBe(true);
    expect<bool>(icmp6HasCodeTable(3)).toBe(true);
    expect<bool>(icmp6HasCodeTable(4)).toBe(true);
    expect<bool>(icmp6HasCodeTable(2)).toBe(false);
  });

  it("returns 0 / false for edge inputs", () => {
    for (let i = 1; i < EDGES.length; i++) {
      const v = EDGES[i];
      expect<usize>(icmp4TypeName(v)).toBe(0);
      expect<usize>(icmp6TypeName(v)).toBe(0);
      expect<usize>(icmp4CodeName(v, 0)).toBe(0);
      expect<usize>(icmp4CodeName(3, v)).toBe(0);
      expect<usize>(icmp6CodeName(v, 0)).toBe(0);
      expect<usize>(icmp6CodeName(1, v)).toBe(0);
      expect<bool>(icmp4HasCodeTable(v)).toBe(false);
      expect<bool>(icmp6HasCodeTable(v)).toBe(false);
    }
  });

  it("has well-formed names for every type and code", () => {
    let bad = 0;
    for (let t: u32 = 0; t < 256; t++) {
      const a = icmp4TypeName(t), b = icmp6TypeName(t);
      if ((a != 0 && !wellFormed(a)) || (b != 0 && !wellFormed(b))) bad++;
      for (let c: u32 = 0; c < 256; c++) {
        const x = icmp4CodeName(t, c), y = icmp6CodeName(t, c);
        if ((x != 0 && !wellFormed(x)) || (y != 0 && !wellFormed(y))) bad++;
        if (x != 0 && (!icmp4HasCodeTable(t) || icmp4TypeName(t) == 0)) bad++;
        if (y != 0 && (!icmp6HasCodeTable(t) || icmp6TypeName(t) == 0)) bad++;
      }
    }
    expect<i32>(bad).toBe(0);
  });
});

describe("names: helpers", () => {
  it("exposes length and bytes of a name", () => {
    const p = tcpPortName(443);
    expect<i32>(nameLength(p)).toBe(5);
    expect<u8>(load<u8>(nameBytes(p))).toBe(<u8>0x68); // 'h'
  });
});
