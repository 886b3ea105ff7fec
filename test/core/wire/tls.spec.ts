import {
  TlsRecordRepr, ClientHelloRepr, ServerHelloRepr, parseRecordHeader, parseClientHello, parseServerHello, handshakeMsgLen, ja4, isGrease, JA4_LEN,
} from "../../../assembly/wire/tls";
import { WireErr } from "../../../assembly/wire/errors";

// Sources of the vectors:
// * RFC 8448 §3 "Simple 1-RTT Handshake": the ClientHello and ServerHello handshake messages
//   ("{client} construct a ClientHello handshake message", "{server} construct a ServerHello
//   handshake message") and the record header "16 03 01 00 c4" of "{client} send handshake
//   record", copied verbatim. The RFC publishes no JA4; the JA4 asserted for it was computed
//   from the spec rules (and is cross-checked by test/diff/ja4.test.ts's second implementation).
// * JA4 spec, FoxIO-LLC/ja4 technical_details/JA4.md ("Cipher hash", "Extension hash",
//   "Example"): the cipher list, the extension list in original order, the signature algorithms
//   and the fingerprint t13d1516h2_8daaf6152771_e5627efa2ab1, the no-signature-algorithm hash
//   6d807ffa2a79, and the ALPN hex examples ("ab", "ad", "3b", "3d", "01").
// * FoxIO-LLC/ja4 python/test/testdata/sigalg-grease.pcapng.json: the JA4_ro raw string gives the
//   ciphers, extensions and signature algorithms of that capture in their original order, and
//   JA4 t13d1517h2_8daaf6152771_cb7bf5808d99. The hello below is rebuilt from those values (the
//   extension bodies are filler) with a GREASE signature algorithm added, as the capture's name
//   says it had.
// Hellos built here are assembled with the helpers below, so every length field is right.

const ch = new ClientHelloRepr();
const sh = new ServerHelloRepr();
const rec = new TlsRecordRepr();
const fp = heap.alloc(64);

function clean(s: string): string { return s.replaceAll(" ", ""); }
function h8(n: i32): string { return n.toString(16).padStart(2, "0"); }
function h16(n: i32): string { return n.toString(16).padStart(4, "0"); }
function ascii(s: string): string { let o = ""; for (let i = 0; i < s.length; i++) o += h8(s.charCodeAt(i)); return o; }
function vec8(items: string): string { const b = clean(items); return h8(b.length >> 1) + b; }
function vec16(items: string): string { const b = clean(items); return h16(b.length >> 1) + b; }
function ext(type: i32, body: string): string { return h16(type) + vec16(body); }
function sniExt(name: string): string { return ext(0x0000, vec16("00" + vec16(ascii(name)))); }
function alpnExt(names: string[]): string { let l = ""; for (let i = 0; i < names.length; i++) l += vec8(ascii(names[i])); return ext(0x0010, vec16(l)); }
/** A ClientHello handshake message: zero random, empty session id, null compression. */
function clientHello(ciphers: string, exts: string, version: string = "0303"): string {
  const body = version + "00".repeat(32) + "00" + vec16(ciphers) + "0100" + vec16(exts);
  return "01 00" + h16(clean(body).length >> 1) + body;
}
function parseCH(hex: string): WireErr { return parseClientHello(hexBytes(hex), hexLen(hex), ch); }
function fingerprint(transport: string = "t"): string {
  const n = ja4(ch, <u8>transport.charCodeAt(0), fp);
  return String.UTF8.decodeUnsafe(fp, <usize>n);
}
function span(p: usize, n: i32): string { return String.UTF8.decodeUnsafe(p, <usize>n); }

const RFC8448_RECORD_HEADER = "16 03 01 00 c4";
const RFC8448_CLIENT_HELLO =
  "01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83" +
  "02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01" +
  "00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00" +
  "26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69" +
  "1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01" +
  "05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01";
const RFC8448_SERVER_HELLO =
  "02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e" +
  "d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1" +
  "56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04";

// JA4.md example: ciphers and extensions in the order the spec lists them as found in the hello.
const SPEC_CIPHERS = "1301 1302 1303 c02b c02f c02c c030 cca9 cca8 c013 c014 009c 009d 002f 0035";
const SPEC_SIGALGS = "0403 0804 0401 0503 0805 0501 0806 0601";
function specExts(sni: bool, alpn: bool, sigalgs: string, versions: string, greaseFirst: string, greaseLast: string): string {
  return greaseFirst +
    ext(0x001b, "02 0002") +                                  // compress_certificate: brotli
    (sni ? sniExt("example.com") : "") +
    ext(0x0033, vec16("001d" + vec16("11".repeat(32)))) +     // key_share: x25519
    (alpn ? alpnExt(["h2", "http/1.1"]) : "") +
    ext(0x4469, "0003 02 6832") +                             // application_settings
    ext(0x0017, "") +                                         // extended_master_secret
    ext(0x002d, "01 01") +                                    // psk_key_exchange_modes
    ext(0x000d, vec16(sigalgs)) +
    ext(0x0005, "01 0000 0000") +                             // status_request
    ext(0x0023, "") +                                         // session_ticket
    ext(0x0012, "") +                                         // signed_certificate_timestamp
    ext(0x002b, vec8(versions)) +
    ext(0xff01, "00") +                                       // renegotiation_info
    ext(0x000b, "01 00") +                                    // ec_point_formats
    ext(0x000a, vec16("001d 0017 0018")) +                    // supported_groups
    ext(0x0015, "00".repeat(16)) +                            // padding
    greaseLast;
}
const SPEC_HELLO = clientHello(SPEC_CIPHERS, specExts(true, true, SPEC_SIGALGS, "0304 0303", "", ""));
const SPEC_HELLO_GREASE = clientHello("2a2a " + SPEC_CIPHERS,
  specExts(true, true, SPEC_SIGALGS, "3a3a 0304 0303", ext(0x0a0a, ""), ext(0xfafa, "00")));

function helloWithAlpnBytes(first: string): string {
  return clientHello("1301", ext(0x0010, vec16(vec8(first) + vec8(ascii("h2")))) + ext(0x002b, "02 0304"));
}

describe("wire/tls record header (RFC 5246 §6.2.1, RFC 8446 §5.1)", () => {
  it("reads the RFC 8448 §3 ClientHello record header", () => {
    expect(parseRecordHeader(hexBytes(RFC8448_RECORD_HEADER), 5, rec)).toBe(WireErr.OK);
    expect(rec.contentType).toBe(22); expect(rec.version).toBe(0x0301); expect(rec.length).toBe(196);
    expect(rec.length).toBe(hexLen(RFC8448_CLIENT_HELLO));
  });
  it("accepts content types 20 to 24 only", () => {
    for (let t = 0; t < 256; t++) {
      const e = parseRecordHeader(hexBytes(h8(t) + "0303 0010"), 5, rec);
      expect(e).toBe(t >= 20 && t <= 24 ? WireErr.OK : WireErr.BAD_CONTENT_TYPE);
    }
  });
  it("rejects a version outside SSL 3.0 to TLS 1.3", () => {
    expect(parseRecordHeader(hexBytes("17 0300 0001"), 5, rec)).toBe(WireErr.OK);
    expect(parseRecordHeader(hexBytes("17 0304 0001"), 5, rec)).toBe(WireErr.OK);
    expect(parseRecordHeader(hexBytes("17 0305 0001"), 5, rec)).toBe(WireErr.BAD_VERSION);
    expect(parseRecordHeader(hexBytes("17 0203 0001"), 5, rec)).toBe(WireErr.BAD_VERSION);
    expect(parseRecordHeader(hexBytes("17 fefd 0001"), 5, rec)).toBe(WireErr.BAD_VERSION);
  });
  it("bounds the length at 2^14 + 2048", () => {
    expect(parseRecordHeader(hexBytes("17 0303 4800"), 5, rec)).toBe(WireErr.OK);
    expect(rec.length).toBe(18432);
    expect(parseRecordHeader(hexBytes("17 0303 4801"), 5, rec)).toBe(WireErr.BAD_RECORD_LENGTH);
    expect(parseRecordHeader(hexBytes("17 0303 ffff"), 5, rec)).toBe(WireErr.BAD_RECORD_LENGTH);
  });
  it("needs all five bytes, not the fragment", () => {
    const p = hexBytes(RFC8448_RECORD_HEADER);
    for (let n = 0; n < 5; n++) expect(parseRecordHeader(p, n, rec)).toBe(WireErr.TRUNCATED);
    expect(parseRecordHeader(p, 5, rec)).toBe(WireErr.OK);
  });
  it("gives the handshake message length once its header is there", () => {
    const p = hexBytes(RFC8448_CLIENT_HELLO);
    expect(handshakeMsgLen(p, 3)).toBe(-1);
    expect(handshakeMsgLen(p, 4)).toBe(196);
  });
});

describe("wire/tls ClientHello (RFC 8446 §4.1.2)", () => {
  it("decodes the RFC 8448 §3 ClientHello", () => {
    expect(parseCH(RFC8448_CLIENT_HELLO)).toBe(WireErr.OK);
    expect(ch.length).toBe(192);
    expect(ch.legacyVersion).toBe(0x0303);
    expect(load<u8>(ch.random)).toBe(0xcb);
    expect(ch.sessionIdLen).toBe(0);
    expect(ch.cipherCount).toBe(3); expect(ch.cipherN).toBe(3);
    expect(ch.ciphers[0]).toBe(0x1301); expect(ch.ciphers[1]).toBe(0x1303); expect(ch.ciphers[2]).toBe(0x1302);
    expect(ch.compressionCount).toBe(1);
    expect(ch.extCount).toBe(9);
    const types: u16[] = [0x0000, 0xff01, 0x000a, 0x0023, 0x0033, 0x002b, 0x000d, 0x002d, 0x001c];
    for (let i = 0; i < types.length; i++) expect(ch.extTypes[i]).toBe(types[i]);
    expect(ch.extLen[4]).toBe(0x26);
    expect(ch.hasSni).toBe(true);
    expect(span(ch.sni, ch.sniLen)).toBe("server");
    expect(ch.hasAlpn).toBe(false); expect(ch.alpnN).toBe(0);
    expect(ch.hasVersions).toBe(true); expect(ch.versionN).toBe(1);
    expect(ch.versions[0]).toBe(0x0304); expect(ch.versionMax).toBe(0x0304);
    expect(ch.hasSigAlgs).toBe(true); expect(ch.sigAlgN).toBe(15);
    expect(ch.sigAlgs[0]).toBe(0x0403); expect(ch.sigAlgs[3]).toBe(0x0203); expect(ch.sigAlgs[14]).toBe(0x0202);
    expect(ch.extErr).toBe(WireErr.OK); expect(ch.overflow).toBe(false);
    expect(fingerprint()).toBe("t13d030900_55b375c5d22e_59cd3dafc54d");
  });
  it("returns TRUNCATED for every cut of the RFC 8448 ClientHello, keeping what came before", () => {
    const p = hexBytes(RFC8448_CLIENT_HELLO);
    const n = hexLen(RFC8448_CLIENT_HELLO);
    for (let l = 0; l < n; l++) {
      expect(parseClientHello(p, l, ch)).toBe(WireErr.TRUNCATED);
      expect(ja4(ch, 0x74, fp)).toBe(JA4_LEN);
    }
    // the server_name extension is the first one, complete from byte 4 + 2 + 32 + 1 + 2 + 6 + 2 + 2 + 4 + 11
    expect(parseClientHello(p, 66, ch)).toBe(WireErr.TRUNCATED);
    expect(ch.hasSni).toBe(true);
    expect(span(ch.sni, ch.sniLen)).toBe("server");
    expect(parseClientHello(p, 65, ch)).toBe(WireErr.TRUNCATED);
    expect(ch.hasSni).toBe(false);
    expect(parseClientHello(p, n, ch)).toBe(WireErr.OK);
  });
  it("decodes a TLS 1.2 hello without an extensions block (RFC 5246 §7.4.1.2)", () => {
    expect(parseCH("01 00002d 0303" + "00".repeat(32) + "00 0006 c030 c02f 00ff 0100")).toBe(WireErr.OK);
    expect(ch.extCount).toBe(0); expect(ch.hasVersions).toBe(false);
    expect(fingerprint()).toBe("t12i030000_0f9cd282b7f5_000000000000");
  });
  it("keeps a session id", () => {
    const hex = "01 00004b 0303" + "00".repeat(32) + "20" + "ab".repeat(32) + "0002 1301 0100 0000";
    expect(parseCH(hex)).toBe(WireErr.OK);
    expect(ch.sessionIdLen).toBe(32); expect(load<u8>(ch.sessionId + 31)).toBe(0xab);
  });
  it("flags GREASE values but keeps them (RFC 8701)", () => {
    expect(parseCH(SPEC_HELLO_GREASE)).toBe(WireErr.OK);
    expect(ch.cipherCount).toBe(16); expect(ch.cipherGreaseCount).toBe(1);
    expect(ch.ciphers[0]).toBe(0x2a2a); expect(ch.cipherGrease[0]).toBe(true); expect(ch.cipherGrease[1]).toBe(false);
    expect(ch.extCount).toBe(18); expect(ch.extGreaseCount).toBe(2);
    expect(ch.extTypes[0]).toBe(0x0a0a); expect(ch.extGrease[0]).toBe(true);
    expect(ch.extTypes[17]).toBe(0xfafa); expect(ch.extGrease[17]).toBe(true);
    expect(ch.versions[0]).toBe(0x3a3a); expect(ch.versionMax).toBe(0x0304);
    expect(span(ch.alpn[0], ch.alpnLen[0])).toBe("h2"); expect(span(ch.alpn[1], ch.alpnLen[1])).toBe("http/1.1");
    expect(span(ch.sni, ch.sniLen)).toBe("example.com");
  });
  it("knows exactly the sixteen GREASE values", () => {
    let n = 0;
    for (let v: u32 = 0; v < 0x10000; v++) if (isGrease(v)) n++;
    expect(n).toBe(16);
    expect(isGrease(0x0a0a)).toBe(true); expect(isGrease(0xfafa)).toBe(true);
    expect(isGrease(0x0a1a)).toBe(false); expect(isGrease(0x1a0a)).toBe(false);
  });
  it("counts but drops what does not fit the bounds", () => {
    let c = "";
    for (let i = 0; i < 200; i++) c += h16(0x0100 + i);
    let x = "";
    for (let i = 0; i < 70; i++) x += ext(0x1000 + i, "");
    expect(parseCH(clientHello(c, x))).toBe(WireErr.OK);
    expect(ch.cipherCount).toBe(200); expect(ch.cipherN).toBe(128);
    expect(ch.extCount).toBe(70); expect(ch.extN).toBe(64);
    expect(ch.overflow).toBe(true);
    expect(fingerprint().substr(0, 10)).toBe("t12i997000");
    expect(fingerprint().substr(11, 12)).toBe("ab1c58e5befe"); // the 128 kept ciphers
    const names: string[] = [];
    for (let i = 0; i < 20; i++) names.push("p" + i.toString());
    expect(parseCH(clientHello("1301", alpnExt(names)))).toBe(WireErr.OK);
    expect(ch.alpnCount).toBe(20); expect(ch.alpnN).toBe(16);
    expect(span(ch.alpn[15], ch.alpnLen[15])).toBe("p15");
  });
  it("rejects the wrong handshake type and impossible lengths", () => {
    expect(parseCH(RFC8448_SERVER_HELLO)).toBe(WireErr.BAD_HANDSHAKE_TYPE);
    expect(parseCH("01 000027 0303" + "00".repeat(32) + "21")).toBe(WireErr.BAD_LENGTH);       // session id 33
    expect(parseCH("01 00002a 0303" + "00".repeat(32) + "00 0003 130113 00")).toBe(WireErr.BAD_LENGTH); // odd suites
    expect(parseCH("01 000029 0303" + "00".repeat(32) + "00 0006 1301")).toBe(WireErr.BAD_LENGTH); // suites past the end
    expect(parseCH("01 00002d 0303" + "00".repeat(32) + "00 0002 1301 0100 0009 0000")).toBe(WireErr.BAD_LENGTH);
    expect(parseCH("01 000031 0303" + "00".repeat(32) + "00 0002 1301 0100 0006 0017 0003 0000")).toBe(WireErr.BAD_LENGTH);
    expect(parseCH("01 00002a 0303" + "00".repeat(32) + "00 0002 1301 0100 00")).toBe(WireErr.BAD_LENGTH); // 1 byte, no block
  });
  it("reports bytes left after the extensions, keeping the fields", () => {
    const body = "0303" + "00".repeat(32) + "00 0002 1301 0100" + vec16(sniExt("a.example")) + "ff";
    expect(parseCH("01 00" + h16(clean(body).length >> 1) + body)).toBe(WireErr.BAD_LENGTH);
    expect(span(ch.sni, ch.sniLen)).toBe("a.example");
  });
  it("flags malformed or repeated extension bodies and goes on", () => {
    expect(parseCH(clientHello("1301", ext(0x0000, "0004 00 0005 61") + alpnExt(["h2"])))).toBe(WireErr.OK);
    expect(ch.extErr).toBe(WireErr.BAD_EXTENSION);
    expect(ch.hasSni).toBe(true); expect(ch.sniLen).toBe(0);
    expect(ch.hasAlpn).toBe(true); expect(ch.alpnN).toBe(1);
    expect(fingerprint().substr(0, 10)).toBe("t12d0102h2");
    expect(parseCH(clientHello("1301", sniExt("a") + sniExt("b")))).toBe(WireErr.OK);
    expect(ch.extErr).toBe(WireErr.BAD_EXTENSION);
    expect(span(ch.sni, ch.sniLen)).toBe("a");
    expect(parseCH(clientHello("1301", ext(0x002b, "03 0304 03")))).toBe(WireErr.OK);
    expect(ch.extErr).toBe(WireErr.BAD_EXTENSION);
    expect(parseCH(clientHello("1301", ext(0x000d, "0003 0403 05")))).toBe(WireErr.OK);
    expect(ch.extErr).toBe(WireErr.BAD_EXTENSION);
    expect(parseCH(clientHello("1301", ext(0x000d, "0002 0403")))).toBe(WireErr.OK);
    expect(ch.extErr).toBe(WireErr.OK);
  });
  it("never traps on corrupted or random input", () => {
    const src = hexBytes(SPEC_HELLO_GREASE);
    const n = hexLen(SPEC_HELLO_GREASE);
    const p = heap.alloc(<usize>n);
    const vals: u8[] = [0x00, 0x01, 0x7f, 0x80, 0xff];
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < vals.length; k++) {
        memory.copy(p, src, <usize>n);
        store<u8>(p + <usize>i, vals[k]);
        parseClientHello(p, n, ch);
        expect(ja4(ch, 0x74, fp)).toBe(JA4_LEN);
        parseServerHello(p, n, sh);
        parseRecordHeader(p, n, rec);
      }
    }
    let seed: u32 = 12345;
    for (let round = 0; round < 300; round++) {
      const l = <i32>(round * 7 % 300);
      for (let i = 0; i < l; i++) { seed = seed * 1103515245 + 12345; store<u8>(p + <usize>i, <u8>(seed >> 16)); }
      if (l > 0) store<u8>(p, round & 1 ? 1 : 2);
      parseClientHello(p, l, ch);
      expect(ja4(ch, 0x71, fp)).toBe(JA4_LEN);
      parseServerHello(p, l, sh);
    }
    heap.free(p);
  });
});

describe("wire/tls JA4 (FoxIO JA4.md)", () => {
  it("reproduces the spec's example fingerprint", () => {
    expect(parseCH(SPEC_HELLO)).toBe(WireErr.OK);
    expect(fingerprint()).toBe("t13d1516h2_8daaf6152771_e5627efa2ab1");
    expect(fingerprint("q")).toBe("q13d1516h2_8daaf6152771_e5627efa2ab1");
  });
  it("leaves GREASE out everywhere", () => {
    expect(parseCH(SPEC_HELLO_GREASE)).toBe(WireErr.OK);
    expect(fingerprint()).toBe("t13d1516h2_8daaf6152771_e5627efa2ab1");
  });
  it("reproduces the published sigalg-grease capture's fingerprint", () => {
    const exts =
      ext(0x5a5a, "") + ext(0xfe0d, "00 0001 0001 00 0020" + "22".repeat(32) + "0000") + alpnExt(["h2", "http/1.1"]) +
      ext(0x0017, "") + ext(0x0033, vec16("001d" + vec16("11".repeat(32)))) + ext(0x44cd, "0003 02 6832") +
      ext(0xff01, "00") + ext(0x000a, vec16("6a6a 001d 0017 0018")) +
      ext(0x000d, vec16("0a0a 0904 0905 0906 0403 0804 0401 0503 0805 0501 0806 0601")) +
      ext(0x0023, "") + ext(0x002b, vec8("7a7a 0304 0303")) + ext(0x000b, "01 00") + ext(0xca34, "") +
      ext(0x002d, "01 01") + sniExt("optimizationguide-pa.googleapis.com") + ext(0x0005, "01 0000 0000") +
      ext(0x001b, "02 0002") + ext(0x0012, "") + ext(0x8a8a, "00");
    expect(parseCH(clientHello("9a9a " + SPEC_CIPHERS, exts))).toBe(WireErr.OK);
    expect(fingerprint()).toBe("t13d1517h2_8daaf6152771_cb7bf5808d99");
  });
  it("hashes the extensions without the \"_\" when there are no signature algorithms", () => {
    expect(parseCH(clientHello(SPEC_CIPHERS, specExts(true, true, "", "0304 0303", "", "")))).toBe(WireErr.OK);
    expect(ch.hasSigAlgs).toBe(true); expect(ch.sigAlgN).toBe(0);
    expect(fingerprint()).toBe("t13d1516h2_8daaf6152771_6d807ffa2a79");
  });
  it("prints i without SNI and 00 without ALPN; the hashes do not change", () => {
    expect(parseCH(clientHello(SPEC_CIPHERS, specExts(false, true, SPEC_SIGALGS, "0304 0303", "", "")))).toBe(WireErr.OK);
    expect(fingerprint()).toBe("t13i1515h2_8daaf6152771_e5627efa2ab1");
    expect(parseCH(clientHello(SPEC_CIPHERS, specExts(true, false, SPEC_SIGALGS, "0304 0303", "", "")))).toBe(WireErr.OK);
    expect(fingerprint()).toBe("t13d151500_8daaf6152771_e5627efa2ab1");
    expect(parseCH(clientHello(SPEC_CIPHERS, specExts(false, false, SPEC_SIGALGS, "0304 0303", "", "")))).toBe(WireErr.OK);
    expect(fingerprint()).toBe("t13i151400_8daaf6152771_e5627efa2ab1");
  });
  it("takes the version from supported_versions, else from legacy_version", () => {
    expect(parseCH(clientHello("1301", ext(0x002b, "06 0303 0304 0302")))).toBe(WireErr.OK);
    expect(fingerprint().substr(0, 3)).toBe("t13");
    expect(parseCH(clientHello("1301", ext(0x002b, "02 1a1a")))).toBe(WireErr.OK);  // GREASE only
    expect(fingerprint().substr(0, 3)).toBe("t12");
    expect(parseCH(clientHello("1301", "", "0302"))).toBe(WireErr.OK);
    expect(fingerprint().substr(0, 3)).toBe("t11");
    expect(parseCH(clientHello("1301", "", "0301"))).toBe(WireErr.OK);
    expect(fingerprint().substr(0, 3)).toBe("t10");
    expect(parseCH(clientHello("1301", "", "0300"))).toBe(WireErr.OK);
    expect(fingerprint().substr(0, 3)).toBe("ts3");
    expect(parseCH(clientHello("1301", "", "0002"))).toBe(WireErr.OK);
    expect(fingerprint().substr(0, 3)).toBe("ts2");
    expect(parseCH(clientHello("1301", "", "fefd"))).toBe(WireErr.OK);
    expect(fingerprint("d").substr(0, 3)).toBe("dd2");
    expect(parseCH(clientHello("1301", "", "0305"))).toBe(WireErr.OK);
    expect(fingerprint().substr(0, 3)).toBe("t00");
  });
  it("applies the spec's ALPN rules", () => {
    const cases: string[] = [
      ascii("h2"), "h2", ascii("http/1.1"), "h1", ascii("x"), "xx",
      "ab", "ab", "abcd", "ad", "30ab", "3b", "3031abcd", "3d", "30abcd31", "01",
      ascii("h3-29"), "h9", ascii("/a"), "21",
    ];
    for (let i = 0; i < cases.length; i += 2) {
      expect(parseCH(helloWithAlpnBytes(cases[i]))).toBe(WireErr.OK);
      expect(fingerprint().substr(8, 2)).toBe(cases[i + 1]);
    }
    expect(parseCH(helloWithAlpnBytes(""))).toBe(WireErr.OK);     // empty first value: malformed, "00"
    expect(ch.extErr).toBe(WireErr.BAD_EXTENSION);
    expect(fingerprint().substr(8, 2)).toBe("00");
    expect(parseCH(clientHello("1301", ext(0x0010, "0000")))).toBe(WireErr.OK);  // empty list
    expect(fingerprint().substr(8, 2)).toBe("00");
  });
  it("caps the counts at 99 and prints zeros for empty lists", () => {
    let c = "";
    for (let i = 0; i < 120; i++) c += h16(0x0100 + i);
    expect(parseCH(clientHello(c, "")))
      .toBe(WireErr.OK);
    expect(fingerprint().substr(0, 10)).toBe("t12i990000");
    expect(parseCH(clientHello("", sniExt("a") + alpnExt(["h2"])))).toBe(WireErr.OK);
    expect(fingerprint()).toBe("t12d0002h2_000000000000_000000000000");
    expect(parseCH(clientHello("0a0a", ""))).toBe(WireErr.OK);
    expect(fingerprint()).toBe("t12i000000_000000000000_000000000000");
  });
});

describe("wire/tls ServerHello (RFC 8446 §4.1.3)", () => {
  it("decodes the RFC 8448 §3 ServerHello", () => {
    expect(parseServerHello(hexBytes(RFC8448_SERVER_HELLO), hexLen(RFC8448_SERVER_HELLO), sh)).toBe(WireErr.OK);
    expect(sh.length).toBe(86);
    expect(sh.legacyVersion).toBe(0x0303);
    expect(load<u8>(sh.random)).toBe(0xa6);
    expect(sh.sessionIdLen).toBe(0);
    expect(sh.cipherSuite).toBe(0x1301); expect(sh.compression).toBe(0);
    expect(sh.extCount).toBe(2); expect(sh.extTypes[0]).toBe(0x0033); expect(sh.extTypes[1]).toBe(0x002b);
    expect(sh.hasSelectedVersion).toBe(true); expect(sh.selectedVersion).toBe(0x0304); expect(sh.version).toBe(0x0304);
    expect(sh.hasAlpn).toBe(false); expect(sh.helloRetryRequest).toBe(false);
    expect(sh.extErr).toBe(WireErr.OK);
  });
  it("returns TRUNCATED for every cut of it", () => {
    const p = hexBytes(RFC8448_SERVER_HELLO);
    const n = hexLen(RFC8448_SERVER_HELLO);
    for (let l = 0; l < n; l++) expect(parseServerHello(p, l, sh)).toBe(WireErr.TRUNCATED);
    expect(parseServerHello(p, 45, sh)).toBe(WireErr.TRUNCATED);
    expect(sh.cipherSuite).toBe(0x1301);
  });
  it("reads the selected ALPN protocol and a TLS 1.2 hello without extensions", () => {
    const body = "0303" + "00".repeat(32) + "00 c02f 00" + vec16(ext(0x0010, "0003 02 6832") + ext(0xff01, "00"));
    const hex = "02 00" + h16(clean(body).length >> 1) + body;
    expect(parseServerHello(hexBytes(hex), hexLen(hex), sh)).toBe(WireErr.OK);
    expect(sh.hasAlpn).toBe(true); expect(span(sh.alpn, sh.alpnLen)).toBe("h2");
    expect(sh.version).toBe(0x0303); expect(sh.hasSelectedVersion).toBe(false);
    const bare = "02 000026 0303" + "00".repeat(32) + "00 009c 00";
    expect(parseServerHello(hexBytes(bare), hexLen(bare), sh)).toBe(WireErr.OK);
    expect(sh.cipherSuite).toBe(0x009c); expect(sh.extCount).toBe(0);
  });
  it("flags an ALPN answer that is not exactly one name (RFC 7301 §3.1)", () => {
    const body = "0303" + "00".repeat(32) + "00 c02f 00" + vec16(ext(0x0010, "0006 02 6832 02 6833"));
    const hex = "02 00" + h16(clean(body).length >> 1) + body;
    expect(parseServerHello(hexBytes(hex), hexLen(hex), sh)).toBe(WireErr.OK);
    expect(sh.hasAlpn).toBe(false); expect(sh.extErr).toBe(WireErr.BAD_EXTENSION);
  });
  it("recognises a HelloRetryRequest by its random", () => {
    const body = "0303 cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c 00 1301 00" +
      vec16(ext(0x002b, "0304") + ext(0x0033, "0017"));
    const hex = "02 00" + h16(clean(body).length >> 1) + body;
    expect(parseServerHello(hexBytes(hex), hexLen(hex), sh)).toBe(WireErr.OK);
    expect(sh.helloRetryRequest).toBe(true); expect(sh.version).toBe(0x0304);
  });
  it("rejects a ClientHello", () => {
    expect(parseServerHello(hexBytes(RFC8448_CLIENT_HELLO), hexLen(RFC8448_CLIENT_HELLO), sh)).toBe(WireErr.BAD_HANDSHAKE_TYPE);
  });
});
