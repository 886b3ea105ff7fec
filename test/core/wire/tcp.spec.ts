import { TcpRepr, parseTcp } from "../../../assembly/wire/tcp";
import { WireErr } from "../../../assembly/wire/errors";

const r = new TcpRepr();
function parse(h: string): WireErr { return parseTcp(hexBytes(h), hexLen(h), r); }

// 51234 → 8080, seq 1000, ack 0, offset 10, SYN, win 64240, xsum 0xabcd,
// options MSS 1460, SACK-permitted, Timestamps 12345/0, NOP, WS 7.
const SYN = "c822 1f90 000003e8 00000000 a0 02 faf0 abcd 0000 020405b4 0402 080a0000303900000000 01 030307";

describe("wire/tcp", () => {
  it("deconstructs a SYN with options", () => {
    expect(parse(SYN)).toBe(WireErr.OK);
    expect(r.srcPort).toBe(51234); expect(r.dstPort).toBe(8080); expect(r.seq).toBe(1000);
    expect(r.dataOff).toBe(10); expect(r.flags).toBe(2); expect(r.window).toBe(64240); expect(r.xsum).toBe(0xabcd);
    expect(r.optCount).toBe(5);
    expect(r.optKind[0]).toBe(2); expect(r.optLen[0]).toBe(2);
    expect(r.optKind[1]).toBe(4); expect(r.optLen[1]).toBe(0);
    expect(r.optKind[2]).toBe(8); expect(r.optLen[2]).toBe(8);
    expect(r.optKind[3]).toBe(1);
    expect(r.optKind[4]).toBe(3); expect(r.optLen[4]).toBe(1);
    expect(r.payloadLen).toBe(0);
  });
  it("keeps End of Option List as an entry and stops there", () => {
    expect(parse("0001 0002 00000000 00000000 60 10 0000 0000 0000 00 01 01 01")).toBe(WireErr.OK);
    expect(r.optCount).toBe(1); expect(r.optKind[0]).toBe(0);
  });
  it("flags a malformed option length but keeps the options before it", () => {
    expect(parse("0001 0002 00000000 00000000 60 10 0000 0000 0000 01 02 01 00")).toBe(WireErr.OK);
    expect(r.optErr).toBe(WireErr.BAD_OPTION);
    expect(r.optCount).toBe(2);
    expect(parse("0001 0002 00000000 00000000 60 10 0000 0000 0000 02 09 0000")).toBe(WireErr.OK);
    expect(r.optErr).toBe(WireErr.BAD_OPTION);
  });
  it("reads the NS bit apart from the flag byte", () => {
    expect(parse("0001 0002 00000000 00000000 51 ff 0000 0000 0000")).toBe(WireErr.OK);
    expect(r.ns).toBe(true); expect(r.flags).toBe(0xff);
  });
  it("is truncated below 20 bytes or below its data offset", () => {
    expect(parse("0001 0002 00000000")).toBe(WireErr.TRUNCATED);
    expect(parse("0001 0002 00000000 00000000 f0 10 0000 0000 0000")).toBe(WireErr.TRUNCATED);
  });
  it("rejects an impossible data offset", () => {
    expect(parse("0001 0002 00000000 00000000 40 10 0000 0000 0000")).toBe(WireErr.BAD_HEADER_LENGTH);
  });
  it("spans the payload", () => {
    expect(parse("0001 0002 00000000 00000000 50 18 0000 0000 0000 68 69")).toBe(WireErr.OK);
    expect(r.payloadLen).toBe(2);
  });
});
