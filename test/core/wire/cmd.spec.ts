import { CmdRepr, parseCmd, CMD_LEN } from "../../../assembly/wire/cmd";
import { WireErr } from "../../../assembly/wire/errors";
import { atEnd } from "./at-end";

const r = new CmdRepr();
function cmd(h: string, gre: bool): WireErr { return parseCmd(hexBytes(h), hexLen(h), gre, r); }

describe("wire/cmd", () => {
  it("decodes Cisco MetaData after EtherType 0x8909: the tag, then the EtherType", () => {
    // Wireshark's cmd (dissect_cmd_eth): cmd.version 1, cmd.length 1, cmd.options 1, cmd.sgt 100, then IPv4.
    expect(cmd("01 01 0001 0064 0800", false)).toBe(WireErr.OK);
    expect(r.version).toBe(1); expect(r.length).toBe(1); expect(r.options).toBe(1); expect(r.sgt).toBe(100); expect(r.etherType).toBe(0x0800);
  });
  it("decodes Cisco MetaData after GRE protocol 0x8909: the EtherType, then the tag", () => {
    // tcpdump's various_gre.pcap frame 25, as tshark 4.0 decodes it: type IPv4, version 1, SGT 0.
    expect(cmd("0800 01 01 0001 0000", true)).toBe(WireErr.OK);
    expect(r.etherType).toBe(0x0800); expect(r.version).toBe(1); expect(r.options).toBe(1); expect(r.sgt).toBe(0);
    expect(cmd("86dd 01 01 0001 0028", true)).toBe(WireErr.OK); expect(r.etherType).toBe(0x86dd); expect(r.sgt).toBe(40);
  });
  it("is TRUNCATED when cut anywhere in its 8 bytes, without reading past them", () => {
    for (let n = 0; n < CMD_LEN; n++) {
      expect(parseCmd(atEnd(hexBytes("01 01 0001 0064 0800"), n), n, false, r)).toBe(WireErr.TRUNCATED);
      expect(parseCmd(atEnd(hexBytes("0800 01 01 0001 0000"), n), n, true, r)).toBe(WireErr.TRUNCATED);
    }
  });
});
