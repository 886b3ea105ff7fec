import * as W from "../../../assembly/json/writer";
import { ip4, ip6, mac, rfc3339 } from "../../../assembly/json/format";

function out(): string { const s = String.UTF8.decodeUnsafe(W.OUT_BASE, W.outLen()); W.outReset(); return s; }
function v6(h: string, mapped: bool = true): string { ip6(hexBytes(h), mapped); return out(); }

describe("json/format addresses", () => {
  it("formats IPv4", () => { ip4(hexBytes("0a 00 00 01")); expect(out()).toBe("10.0.0.1"); ip4(hexBytes("ff ff ff ff")); expect(out()).toBe("255.255.255.255"); });
  it("formats IPv6 per RFC 5952", () => {
    expect(v6("00000000000000000000000000000001")).toBe("::1");
    expect(v6("00000000000000000000000000000000")).toBe("::");
    expect(v6("20010db8000000000000000000000001")).toBe("2001:db8::1");
    expect(v6("20010db8000000010000000000000001")).toBe("2001:db8:0:1::1");
    expect(v6("20010db8000000000001000000000001")).toBe("2001:db8::1:0:0:1"); // first run on ties
    expect(v6("20010db8000100010001000100010001")).toBe("2001:db8:1:1:1:1:1:1");
    expect(v6("20010db8000000010001000100010001")).toBe("2001:db8:0:1:1:1:1:1"); // one zero group stays
    expect(v6("fe800000000000000000000000000000")).toBe("fe80::");
    expect(v6("ff020000000000000000000000010006")).toBe("ff02::1:6");
  });
  it("prints IPv4-mapped addresses like Go net.IP (dotted) or netip (prefixed)", () => {
    expect(v6("00000000000000000000ffff01020304", true)).toBe("1.2.3.4");
    expect(v6("00000000000000000000ffff01020304", false)).toBe("::ffff:1.2.3.4");
    expect(v6("00000000000000000000000001020304", true)).toBe("::102:304");
  });
  it("formats MAC addresses", () => { mac(hexBytes("42 01 0a 00 00 01"), 6); expect(out()).toBe("42:01:0a:00:00:01"); });
});

describe("json/format RFC3339Nano", () => {
  it("drops trailing zeros of the fraction", () => {
    rfc3339(1700000000, 200000000); expect(out()).toBe("2023-11-14T22:13:20.2Z");
    rfc3339(1700000000, 123456789); expect(out()).toBe("2023-11-14T22:13:20.123456789Z");
    rfc3339(1700000001, 0); expect(out()).toBe("2023-11-14T22:13:21Z");
    rfc3339(1700000002, 5000); expect(out()).toBe("2023-11-14T22:13:22.000005Z");
  });
  it("handles the epoch, leap days and times before 1970", () => {
    rfc3339(0, 0); expect(out()).toBe("1970-01-01T00:00:00Z");
    rfc3339(951782400, 1); expect(out()).toBe("2000-02-29T00:00:00.000000001Z");
    rfc3339(-1, 500000000); expect(out()).toBe("1969-12-31T23:59:59.5Z");
    rfc3339(4294967295, 0); expect(out()).toBe("2106-02-07T06:28:15Z");
  });
});
