// The OS interface table (assembly/record/options.ts, reference §3.3): bounds, errors as
// values, and the lookup that attributes packets captured on `any`.
import {
  OPT_SCRATCH, OsIfaceErr, addOsIface, addOsIfaceAddr, clearOsIfaces, osCount, osAddrTotal, osIfaceOf, osIfaceIndex,
  osNameLength,
} from "../../../assembly/record/options";
import { MAX_OS_IFACES, MAX_OS_IFACE_ADDRS, MAX_OS_IFNAME } from "../../../assembly/config";

function iface(index: i32, name: string): OsIfaceErr {
  const n = String.UTF8.byteLength(name);
  memory.copy(OPT_SCRATCH, utf8(name), <usize>n);
  return addOsIface(index, n);
}
function addr(hex: string): OsIfaceErr {
  memory.copy(OPT_SCRATCH, hexBytes(hex), <usize>hexLen(hex));
  return addOsIfaceAddr(hexLen(hex));
}
function find(hex: string): i32 { return osIfaceOf(hexBytes(hex), hexLen(hex)); }

const LO4 = "7f000001", LO6 = "00000000000000000000000000000001", ETH4 = "0a000002", OTHER4 = "08080808";
const ETH4_MAPPED = "00000000000000000000ffff0a000002";

describe("record/options OS interface table", () => {
  it("an address before any interface is refused, and so is a length other than 4 or 16", () => {
    clearOsIfaces();
    expect(addr(LO4)).toBe(OsIfaceErr.NO_IFACE);
    expect(iface(1, "lo")).toBe(OsIfaceErr.OK);
    expect(addr("7f0000")).toBe(OsIfaceErr.BAD_ADDR);
    expect(addr("7f00000100")).toBe(OsIfaceErr.BAD_ADDR);
    expect(osAddrTotal).toBe(0);
  });
  it("refuses a negative index and names of 0 or more than MAX_OS_IFNAME bytes", () => {
    clearOsIfaces();
    expect(iface(-1, "lo")).toBe(OsIfaceErr.BAD_INDEX);
    expect(iface(1, "")).toBe(OsIfaceErr.BAD_NAME);
    expect(iface(1, "n".repeat(MAX_OS_IFNAME + 1))).toBe(OsIfaceErr.BAD_NAME);
    expect(osCount).toBe(0);
    expect(iface(0x7fffffff, "n".repeat(MAX_OS_IFNAME))).toBe(OsIfaceErr.OK);
    expect(osIfaceIndex(0)).toBe(0x7fffffff);
    expect(osNameLength(0)).toBe(MAX_OS_IFNAME);
  });
  it("holds MAX_OS_IFACES interfaces of MAX_OS_IFACE_ADDRS addresses each, then says FULL / ADDRS_FULL", () => {
    clearOsIfaces();
    for (let i = 0; i < MAX_OS_IFACES; i++) {
      expect(iface(i + 1, "if" + i.toString())).toBe(OsIfaceErr.OK);
      for (let k = 0; k < MAX_OS_IFACE_ADDRS; k++) {
        expect(addr("0a" + (<u8>i).toString(16).padStart(2, "0") + "00" + (<u8>k).toString(16).padStart(2, "0"))).toBe(OsIfaceErr.OK);
      }
      expect(addr("0b000000")).toBe(OsIfaceErr.ADDRS_FULL);
    }
    expect(iface(999, "one-too-many")).toBe(OsIfaceErr.FULL);
    expect(osCount).toBe(MAX_OS_IFACES);
    expect(osAddrTotal).toBe(MAX_OS_IFACES * MAX_OS_IFACE_ADDRS);
    // every address is found, in its own interface
    expect(find("0a000000")).toBe(0);
    expect(find("0a3f000f")).toBe(63);
    expect(find("0a05000a")).toBe(5);
    expect(find("0b000000")).toBe(-1);
  });
  it("an address listed twice for one interface counts once (a set, as in pcap-sidecar)", () => {
    clearOsIfaces();
    iface(1, "lo");
    for (let k = 0; k < MAX_OS_IFACE_ADDRS; k++) expect(addr("7f0000" + (<u8>k).toString(16).padStart(2, "0"))).toBe(OsIfaceErr.OK);
    expect(addr("7f000003")).toBe(OsIfaceErr.OK);
    expect(osAddrTotal).toBe(MAX_OS_IFACE_ADDRS);
    expect(addr("7f0000ff")).toBe(OsIfaceErr.ADDRS_FULL);
  });
  it("finds the owner of IPv4 and IPv6 addresses and nothing for others", () => {
    clearOsIfaces();
    iface(1, "lo"); addr(LO4); addr(LO6);
    iface(2, "eth0"); addr(ETH4);
    expect(find(LO4)).toBe(0);
    expect(find(LO6)).toBe(0);
    expect(find(ETH4)).toBe(1);
    expect(find(OTHER4)).toBe(-1);
    expect(find("00000000000000000000000000000002")).toBe(-1);
    // 4 bytes equal to the start of an IPv6 entry are not that entry
    expect(find("00000000")).toBe(-1);
    // a length that is no address finds nothing (and reads nothing past it)
    expect(find("0a00")).toBe(-1);
  });
  it("an IPv4-mapped IPv6 address is its IPv4 address (Go compares the string forms), in the table and in packets", () => {
    clearOsIfaces();
    iface(2, "eth0"); addr(ETH4);
    expect(find(ETH4_MAPPED)).toBe(0);
    iface(3, "eth1"); addr("00000000000000000000ffff0a000009");
    expect(find("0a000009")).toBe(1);
    expect(find("00000000000000000000ffff0a000009")).toBe(1);
    // only ::ffff:0:0/96 is mapped: ::a00:9 (IPv4-compatible) is an IPv6 address of its own
    expect(find("0000000000000000000000000a000009")).toBe(-1);
  });
  it("an address on several interfaces belongs to the one added last (pcap-sidecar's map is filled in interface order)", () => {
    clearOsIfaces();
    iface(1, "lo"); addr(LO4);
    iface(5, "dummy0"); addr(LO4);
    expect(find(LO4)).toBe(1);
    iface(6, "dummy1"); addr(ETH4);
    expect(find(LO4)).toBe(1);
  });
  it("clearOsIfaces empties the table", () => {
    clearOsIfaces();
    iface(1, "lo"); addr(LO4);
    expect(find(LO4)).toBe(0);
    clearOsIfaces();
    expect(osCount).toBe(0);
    expect(osAddrTotal).toBe(0);
    expect(find(LO4)).toBe(-1);
    expect(addr(LO4)).toBe(OsIfaceErr.NO_IFACE);
  });
});
