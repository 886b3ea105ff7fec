// The TLS object of a record: records by content type, client_hello (SNI, ALPN, versions, JA4) and
// server_hello (reference §5.5).

import { frag, w, b, raw, u32dec, str, pos, setPos, hex4 } from "./writer";
import { ja4 } from "../wire/tls";
import { S } from "../facts/packet";
import { hello, recLen, recType, recVer, shello } from "../facts/tls";
import { Why } from "../facts/why";
import { TLS_BUF, R } from "./scratch";
import { asciiBytes } from "./emit";
import { whyText } from "./skipped";

const K_SKIPPED = frag("\"skipped\":\"");

const K_CT = frag("{\"content_type\":\"");
const K_TLS_LEN = frag("\",\"length\":");
const K_TLS_MSG = frag(",\"message\":\"Change Cipher Spec Message\"");
const K_TLS_VER = frag(",\"version\":\"");
const K_ALERT = frag("\"alert\":[");
const K_APP = frag("\"app_data\":[");
const K_CCS = frag("\"change_cipher_spec\":[");
const K_HS = frag("\"handshake\":[");
const K_CH = frag("\"client_hello\":{");
const K_SH = frag("\"server_hello\":{");
const K_ALPN = frag("\"alpn\":[");
const K_CIPHER = frag("\"cipher\":\"0x");
const K_JA4 = frag("\"ja4\":\"");
const K_SNI = frag("\"sni\":");
const K_VERSIONS = frag("\"versions\":[");
const K_VERSION = frag("\"version\":\"");
const CT_NAMES = [frag("Change Cipher Spec"), frag("Alert"), frag("Handshake"), frag("Application Data"), frag("Heartbeat")];
const JA4_OUT: usize = heap.alloc(64);

/** TLS version names as gopacket prints them (0x0200 SSL 2.0 … 0x0304 TLS 1.3). */
function versionName(v: u32): void {
  if (v == 0x0300) { raw(SSL30, 7); return; }
  if (v >= 0x0301 && v <= 0x0304) { raw(TLS1X, 6); b(0x30 + (v & 0xff) - 1); return; }
  if (v == 0x0200 || v == 0x0002) { raw(SSL20, 7); return; }
  raw(UNKNOWN_V, 7);
}
const SSL30: usize = asciiBytes("SSL 3.0");
const SSL20: usize = asciiBytes("SSL 2.0");
const TLS1X: usize = asciiBytes("TLS 1.");
const UNKNOWN_V: usize = asciiBytes("Unknown");

function recList(type: u32, key: u64, first: bool): bool {
  let n = 0;
  for (let i = 0; i < S.tlsN; i++) {
    if (<u32>unchecked(recType[i]) != type) continue;
    if (n == 0) { if (!first) b(0x2c); w(key); } else b(0x2c);
    n++;
    w(K_CT); w(unchecked(CT_NAMES[type - 20])); w(K_TLS_LEN); u32dec(<u32>unchecked(recLen[i]));
    if (type == 20) w(K_TLS_MSG);
    w(K_TLS_VER); versionName(<u32>unchecked(recVer[i])); b(0x22); b(0x7d);
  }
  if (n > 0) b(0x5d);
  return n > 0 ? false : first;
}

/** Builds the TLS object of this segment from its facts (facts/tls.ts). */
export function finishTls(): void {
  if (S.tlsN == 0 && !S.helloClient && !S.helloServer && S.helloWhy == 0) return;
  const save = pos;
  setPos(TLS_BUF);
  b(0x7b);
  // Keys: alert, app_data, change_cipher_spec, client_hello, handshake, server_hello, skipped
  let first = true;
  first = recList(21, K_ALERT, first);
  first = recList(23, K_APP, first);
  first = recList(20, K_CCS, first);
  if (S.helloClient) {
    if (!first) b(0x2c); first = false;
    w(K_CH);
    // alpn, ja4, sni, versions
    let k = 0;
    if (hello.hasAlpn) { w(K_ALPN); for (let i = 0; i < hello.alpnN; i++) { if (i) b(0x2c); str(unchecked(hello.alpn[i]), <i32>unchecked(hello.alpnLen[i])); } b(0x5d); k++; }
    if (k++) b(0x2c);
    const n = ja4(hello, 0x74, JA4_OUT);
    w(K_JA4); raw(JA4_OUT, n); b(0x22);
    if (hello.hasSni) { b(0x2c); w(K_SNI); str(hello.sni, hello.sniLen); }
    b(0x2c); w(K_VERSIONS);
    if (hello.hasVersions) {
      let m = 0;
      for (let i = 0; i < hello.versionN; i++) {
        const v = <u32>unchecked(hello.versions[i]);
        if ((v & 0x0f0f) == 0x0a0a) continue; // GREASE (RFC 8701)
        if (m++) b(0x2c);
        b(0x22); versionName(v); b(0x22);
      }
    } else { b(0x22); versionName(hello.legacyVersion); b(0x22); }
    b(0x5d); b(0x7d);
  }
  first = recList(22, K_HS, first);
  if (S.helloServer) {
    if (!first) b(0x2c); first = false;
    w(K_SH);
    if (shello.hasAlpn) { w(K_ALPN); str(shello.alpn, shello.alpnLen); b(0x5d); b(0x2c); }
    w(K_CIPHER); hex4(shello.cipherSuite); b(0x22); b(0x2c);
    w(K_VERSION); versionName(shello.version); b(0x22); b(0x7d);
  }
  if (S.helloWhy != 0) { if (!first) b(0x2c); first = false; w(K_SKIPPED); whyText(<Why>S.helloWhy); b(0x22); }
  b(0x7d);
  R.tlsLen = <i32>(pos - TLS_BUF);
  setPos(save);
}

