// TLS record header and the two unencrypted hello messages, and the JA4 client fingerprint.
//   Record layer: RFC 5246 §6.2.1 (TLSPlaintext), §6.2.3 (at most 2^14 + 2048 bytes of
//   TLSCiphertext); RFC 8446 §5.1 (legacy_record_version), §5.2 (TLS 1.3 allows only 2^14 + 256).
//   Handshake header: RFC 8446 §4 / RFC 5246 §7.4 (msg_type, uint24 length).
//   ClientHello: RFC 8446 §4.1.2, RFC 5246 §7.4.1.2 (the extensions block may be absent in
//   TLS 1.2). ServerHello: RFC 8446 §4.1.3 (HelloRetryRequest random), RFC 5246 §7.4.1.3.
//   Extensions: RFC 8446 §4.2, RFC 5246 §7.4.1.4; server_name RFC 6066 §3; ALPN RFC 7301 §3.1;
//   supported_versions RFC 8446 §4.2.1; signature_algorithms RFC 8446 §4.2.3; GREASE RFC 8701 §2.
//   JA4: FoxIO, https://github.com/FoxIO-LLC/ja4/blob/main/technical_details/JA4.md
//
// The hello parsers take one complete handshake message (the caller reassembles it across
// records and segments). When the captured bytes stop before the message's own length, the
// fields decoded so far are kept and TRUNCATED is returned, so a cut ClientHello still yields
// its SNI when that came early. Lists are kept up to a fixed bound; entries beyond it are
// counted but dropped (`overflow` says so). Nothing allocates after the constructors.

import { be16 } from "../util/mem";
import { sha256 } from "../util/sha256";
import { WireErr } from "./errors";

/** Record content types (RFC 8446 §5.1; heartbeat RFC 6520 §3). */
export const enum TlsContentType { CHANGE_CIPHER_SPEC = 20, ALERT = 21, HANDSHAKE = 22, APPLICATION_DATA = 23, HEARTBEAT = 24 }

/** Extension types the parsers read (IANA TLS ExtensionType Values). */
export const enum TlsExt { SERVER_NAME = 0, SIGNATURE_ALGORITHMS = 13, ALPN = 16, SUPPORTED_VERSIONS = 43 }

/** Bytes in a record header. */
export const TLS_RECORD_HEADER_LEN = 5;
/** Largest record length accepted: the TLS 1.2 TLSCiphertext bound (TLS 1.3's 2^14 + 256 is within it). */
export const TLS_MAX_RECORD_LEN = 16384 + 2048;
/** Cipher suites kept per ClientHello. */
export const MAX_TLS_CIPHERS = 128;
/** Extensions kept per hello. */
export const MAX_TLS_EXTENSIONS = 64;
/** ALPN protocol names kept per ClientHello. */
export const MAX_TLS_ALPN = 16;
/** supported_versions entries kept per ClientHello (the vector holds at most 127). */
export const MAX_TLS_VERSIONS = 32;
/** signature_algorithms entries kept per ClientHello. */
export const MAX_TLS_SIGALGS = 64;
/** Length of a JA4 fingerprint. */
export const JA4_LEN = 36;

/** True for the sixteen GREASE values 0x0a0a, 0x1a1a, …, 0xfafa (RFC 8701 §2): both bytes equal, low nibble 0xa. */
@inline export function isGrease(v: u32): bool { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

/** Decoded 5-byte record header. */
export class TlsRecordRepr {
  contentType: u32 = 0;
  version: u32 = 0;
  /** Length of the fragment that follows the header. */
  length: i32 = 0;
}

/** Decodes the record header at p (len captured bytes); the fragment itself need not be there yet. */
export function parseRecordHeader(p: usize, len: i32, r: TlsRecordRepr): WireErr {
  if (len < TLS_RECORD_HEADER_LEN) return WireErr.TRUNCATED;
  r.contentType = <u32>load<u8>(p);
  r.version = be16(p + 1);
  r.length = <i32>be16(p + 3);
  // Strict checks, because a caller walking records across segments uses them to notice that
  // it has lost sync (or that the stream is not TLS at all).
  if (r.contentType < 20 || r.contentType > 24) return WireErr.BAD_CONTENT_TYPE;
  // SSL 3.0 to TLS 1.3 all carry major version 3; TLS 1.3 freezes the field at 0x0301/0x0303.
  if ((r.version >> 8) != 3 || (r.version & 0xff) > 4) return WireErr.BAD_VERSION;
  if (r.length > TLS_MAX_RECORD_LEN) return WireErr.BAD_RECORD_LENGTH;
  return WireErr.OK;
}

/** Total length (4-byte header + body) of the handshake message at p, or -1 when its header is not all there. */
export function handshakeMsgLen(p: usize, len: i32): i32 {
  if (len < 4) return -1;
  return 4 + ((<i32>load<u8>(p + 1) << 16) | <i32>be16(p + 2));
}

/** Decoded ClientHello: the fields JA4 and the log need, lists bounded as the MAX_TLS_* constants say. */
export class ClientHelloRepr {
  /** Body length from the handshake header. */
  length: i32 = 0;
  legacyVersion: u32 = 0;
  /** The 32 random bytes (a pointer into the input). */
  random: usize = 0;
  sessionId: usize = 0;
  sessionIdLen: i32 = 0;
  /** Cipher suites in the message (GREASE included); cipherN of them are kept. */
  cipherCount: i32 = 0;
  cipherGreaseCount: i32 = 0;
  cipherN: i32 = 0;
  ciphers: StaticArray<u16> = new StaticArray<u16>(MAX_TLS_CIPHERS);
  cipherGrease: StaticArray<bool> = new StaticArray<bool>(MAX_TLS_CIPHERS);
  compressionCount: i32 = 0;
  /** Extensions in the message, in order (GREASE included); extN of them are kept. */
  extCount: i32 = 0;
  extGreaseCount: i32 = 0;
  extN: i32 = 0;
  extTypes: StaticArray<u16> = new StaticArray<u16>(MAX_TLS_EXTENSIONS);
  extGrease: StaticArray<bool> = new StaticArray<bool>(MAX_TLS_EXTENSIONS);
  extData: StaticArray<usize> = new StaticArray<usize>(MAX_TLS_EXTENSIONS);
  extLen: StaticArray<u16> = new StaticArray<u16>(MAX_TLS_EXTENSIONS);
  /** server_name present (JA4 "d"), and its first host_name as a span into the input. */
  hasSni: bool = false;
  sni: usize = 0;
  sniLen: i32 = 0;
  /** ALPN present, its protocol names as spans (alpnCount in the list, alpnN kept). */
  hasAlpn: bool = false;
  alpnCount: i32 = 0;
  alpnN: i32 = 0;
  alpn: StaticArray<usize> = new StaticArray<usize>(MAX_TLS_ALPN);
  alpnLen: StaticArray<u8> = new StaticArray<u8>(MAX_TLS_ALPN);
  /** First and last byte of the first ALPN name, copied so JA4 does not need the input any more. */
  alpnFirst: u8 = 0;
  alpnLast: u8 = 0;
  /** supported_versions present, its list (versionCount in it, versionN kept), and its highest non-GREASE value (0: none). */
  hasVersions: bool = false;
  versionCount: i32 = 0;
  versionN: i32 = 0;
  versions: StaticArray<u16> = new StaticArray<u16>(MAX_TLS_VERSIONS);
  versionMax: u32 = 0;
  /** signature_algorithms present and its list in order (sigAlgCount in it, sigAlgN kept). */
  hasSigAlgs: bool = false;
  sigAlgCount: i32 = 0;
  sigAlgN: i32 = 0;
  sigAlgs: StaticArray<u16> = new StaticArray<u16>(MAX_TLS_SIGALGS);
  /** Problem inside one of the four extension bodies read (the other fields stay usable). */
  extErr: WireErr = WireErr.OK;
  /** Some list was longer than its bound: JA4's counts stay exact, its hashes cover the kept entries. */
  overflow: bool = false;
}

/** Decoded ServerHello (or HelloRetryRequest). */
export class ServerHelloRepr {
  length: i32 = 0;
  legacyVersion: u32 = 0;
  random: usize = 0;
  sessionId: usize = 0;
  sessionIdLen: i32 = 0;
  cipherSuite: u32 = 0;
  compression: u32 = 0;
  /** The random is the RFC 8446 §4.1.3 HelloRetryRequest value. */
  helloRetryRequest: bool = false;
  /** Extensions in order (extCount in the message, extN kept). */
  extCount: i32 = 0;
  extN: i32 = 0;
  extTypes: StaticArray<u16> = new StaticArray<u16>(MAX_TLS_EXTENSIONS);
  /** supported_versions present and the version it selects. */
  hasSelectedVersion: bool = false;
  selectedVersion: u32 = 0;
  /** The negotiated version: selectedVersion when present, else legacyVersion (RFC 8446 §4.2.1). */
  version: u32 = 0;
  /** ALPN present and the protocol the server selected (span into the input). */
  hasAlpn: bool = false;
  alpn: usize = 0;
  alpnLen: i32 = 0;
  extErr: WireErr = WireErr.OK;
}

// SHA-256 of "HelloRetryRequest" (RFC 8446 §4.1.3), compared against ServerHello.random.
const HRR_RANDOM: usize = memory.data<u8>([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

// The error for a length reaching `need`, beyond the bytes that may be read: malformed when it
// passes the enclosing declared end, otherwise the capture simply stopped early.
@inline function overrun(need: i32, declaredEnd: i32): WireErr {
  return need > declaredEnd ? WireErr.BAD_LENGTH : WireErr.TRUNCATED;
}

let helloEnd: i32 = 0;      // min(captured, declared) end of the message, set by helloStart
let helloDeclared: i32 = 0; // 4 + the handshake length field

// Extensions block framing shared by both hellos (RFC 8446 §4.2: extension_type(2),
// extension_data<0..2^16-1>), set by extBlock() and advanced by nextExt().
let extOff: i32 = 0;   // next extension
let extEnd: i32 = 0;   // declared end of the block
let extLim: i32 = 0;   // end of what can be read (declared end or captured end)
let extType: u32 = 0;  // the extension just read: type, data offset, data length
let extData: i32 = 0;
let extLength: i32 = 0;

// Opens the extensions block whose 2-byte length is at off.
function extBlock(p: usize, off: i32, end: i32, declared: i32): WireErr {
  if (off + 2 > end) return overrun(off + 2, declared);
  extEnd = off + 2 + <i32>be16(p + <usize>off);
  extOff = off + 2;
  if (extEnd > declared) return WireErr.BAD_LENGTH;
  extLim = min(extEnd, end);
  return WireErr.OK;
}

// Reads the extension at extOff (caller checks extOff < extEnd) and moves past it.
function nextExt(p: usize): WireErr {
  if (extOff + 4 > extLim) return overrun(extOff + 4, extEnd);
  extType = be16(p + <usize>extOff);
  extLength = <i32>be16(p + <usize>(extOff + 2));
  extData = extOff + 4;
  if (extData + extLength > extLim) return overrun(extData + extLength, extEnd);
  extOff = extData + extLength;
  return WireErr.OK;
}

// Checks the handshake type and reads past the start both hellos share (version, random,
// session id); returns the offset after the session id, or the negated error.
function helloStart(p: usize, len: i32, type: u8): i32 {
  if (len < 4) return -<i32>WireErr.TRUNCATED;
  if (load<u8>(p) != type) return -<i32>WireErr.BAD_HANDSHAKE_TYPE;
  helloDeclared = handshakeMsgLen(p, len);
  helloEnd = min(len, helloDeclared);
  if (39 > helloEnd) return -<i32>overrun(39, helloDeclared); // version 2, random 32, session id length 1
  const sid = <i32>load<u8>(p + 38);
  if (sid > 32) return -<i32>WireErr.BAD_LENGTH;                // legacy_session_id<0..32>
  if (39 + sid > helloEnd) return -<i32>overrun(39 + sid, helloDeclared);
  return 39 + sid;
}

function resetClient(r: ClientHelloRepr): void {
  r.length = 0; r.legacyVersion = 0; r.random = 0; r.sessionId = 0; r.sessionIdLen = 0;
  r.cipherCount = 0; r.cipherGreaseCount = 0; r.cipherN = 0; r.compressionCount = 0;
  r.extCount = 0; r.extGreaseCount = 0; r.extN = 0;
  r.hasSni = false; r.sni = 0; r.sniLen = 0;
  r.hasAlpn = false; r.alpnCount = 0; r.alpnN = 0; r.alpnFirst = 0; r.alpnLast = 0;
  r.hasVersions = false; r.versionCount = 0; r.versionN = 0; r.versionMax = 0;
  r.hasSigAlgs = false; r.sigAlgCount = 0; r.sigAlgN = 0;
  r.extErr = WireErr.OK; r.overflow = false;
}

// RFC 6066 §3: ServerNameList server_name_list<1..2^16-1>, each entry name_type(1) +
// opaque<1..2^16-1>. Only host_name (0) is defined; other types are skipped by their length,
// as every implementation reads them.
function readSni(r: ClientHelloRepr, d: usize, n: i32): void {
  if (n < 2 || 2 + <i32>be16(d) != n) { r.extErr = WireErr.BAD_EXTENSION; return; }
  let q = 2;
  while (q < n) {
    if (q + 3 > n) { r.extErr = WireErr.BAD_EXTENSION; return; }
    const t = load<u8>(d + <usize>q);
    const l = <i32>be16(d + <usize>(q + 1));
    if (l == 0 || q + 3 + l > n) { r.extErr = WireErr.BAD_EXTENSION; return; }
    if (t == 0 && r.sniLen == 0) { r.sni = d + <usize>(q + 3); r.sniLen = l; }
    q += 3 + l;
  }
}

// RFC 7301 §3.1: ProtocolNameList protocol_name_list<2..2^16-1> of ProtocolName<1..2^8-1>.
// An empty name is malformed but kept, because JA4 defines what an empty first value prints.
function readAlpn(r: ClientHelloRepr, d: usize, n: i32): void {
  if (n < 2 || 2 + <i32>be16(d) != n) { r.extErr = WireErr.BAD_EXTENSION; return; }
  let q = 2;
  while (q < n) {
    const l = <i32>load<u8>(d + <usize>q);
    if (q + 1 + l > n) { r.extErr = WireErr.BAD_EXTENSION; return; }
    if (l == 0) r.extErr = WireErr.BAD_EXTENSION;
    const s = d + <usize>(q + 1);
    if (r.alpnCount == 0 && l > 0) { r.alpnFirst = load<u8>(s); r.alpnLast = load<u8>(s + <usize>(l - 1)); }
    r.alpnCount++;
    if (r.alpnN < MAX_TLS_ALPN) {
      unchecked(r.alpn[r.alpnN] = s);
      unchecked(r.alpnLen[r.alpnN] = <u8>l);
      r.alpnN++;
    } else r.overflow = true;
    q += 1 + l;
  }
}

// RFC 8446 §4.2.1 (ClientHello form): ProtocolVersion versions<2..254>.
function readVersions(r: ClientHelloRepr, d: usize, n: i32): void {
  if (n < 1) { r.extErr = WireErr.BAD_EXTENSION; return; }
  const l = <i32>load<u8>(d);
  if (1 + l != n || (l & 1) != 0) { r.extErr = WireErr.BAD_EXTENSION; return; }
  for (let q = 1; q < n; q += 2) {
    const v = be16(d + <usize>q);
    r.versionCount++;
    if (!isGrease(v) && v > r.versionMax) r.versionMax = v;
    if (r.versionN < MAX_TLS_VERSIONS) { unchecked(r.versions[r.versionN] = <u16>v); r.versionN++; }
    else r.overflow = true;
  }
}

// RFC 8446 §4.2.3: SignatureScheme supported_signature_algorithms<2..2^16-2>, order kept
// (it is the client's preference, and JA4 hashes it unsorted).
function readSigAlgs(r: ClientHelloRepr, d: usize, n: i32): void {
  if (n < 2) { r.extErr = WireErr.BAD_EXTENSION; return; }
  const l = <i32>be16(d);
  if (2 + l != n || (l & 1) != 0) { r.extErr = WireErr.BAD_EXTENSION; return; }
  for (let q = 2; q < n; q += 2) {
    r.sigAlgCount++;
    if (r.sigAlgN < MAX_TLS_SIGALGS) { unchecked(r.sigAlgs[r.sigAlgN] = <u16>be16(d + <usize>q)); r.sigAlgN++; }
    else r.overflow = true;
  }
}

/** Decodes the ClientHello handshake message at p (header included; len captured bytes). */
export function parseClientHello(p: usize, len: i32, r: ClientHelloRepr): WireErr {
  resetClient(r);
  let off = helloStart(p, len, 1);
  if (off < 0) return <WireErr>(-off);
  const end = helloEnd, declared = helloDeclared;
  r.length = declared - 4;
  r.legacyVersion = be16(p + 4);
  r.random = p + 6;
  r.sessionIdLen = off - 39;
  r.sessionId = p + 39;
  // cipher_suites<2..2^16-2>: an empty list is tolerated (JA4 defines its fingerprint).
  if (off + 2 > end) return overrun(off + 2, declared);
  const cl = <i32>be16(p + <usize>off);
  off += 2;
  if ((cl & 1) != 0) return WireErr.BAD_LENGTH;
  if (off + cl > end) return overrun(off + cl, declared);
  for (let q = off; q < off + cl; q += 2) {
    const v = be16(p + <usize>q);
    const g = isGrease(v);
    r.cipherCount++;
    if (g) r.cipherGreaseCount++;
    if (r.cipherN < MAX_TLS_CIPHERS) {
      unchecked(r.ciphers[r.cipherN] = <u16>v);
      unchecked(r.cipherGrease[r.cipherN] = g);
      r.cipherN++;
    } else r.overflow = true;
  }
  off += cl;
  // legacy_compression_methods<1..2^8-1>
  if (off + 1 > end) return overrun(off + 1, declared);
  const ml = <i32>load<u8>(p + <usize>off);
  off += 1;
  if (off + ml > end) return overrun(off + ml, declared);
  r.compressionCount = ml;
  off += ml;
  // RFC 5246 §7.4.1.2: a TLS 1.2 hello may end here, without an extensions block.
  if (off == declared) return WireErr.OK;
  const eb = extBlock(p, off, end, declared);
  if (eb != WireErr.OK) return eb;
  while (extOff < extEnd) {
    const ne = nextExt(p);
    if (ne != WireErr.OK) return ne;
    const type = extType, el = extLength, d = extData;
    const g = isGrease(type);
    r.extCount++;
    if (g) r.extGreaseCount++;
    if (r.extN < MAX_TLS_EXTENSIONS) {
      const k = r.extN++;
      unchecked(r.extTypes[k] = <u16>type);
      unchecked(r.extGrease[k] = g);
      unchecked(r.extData[k] = p + <usize>d);
      unchecked(r.extLen[k] = <u16>el);
    } else r.overflow = true;
    const dp = p + <usize>d;
    // RFC 8446 §4.2: no extension type may appear twice; a repeat is flagged and not read.
    switch (type) {
      case TlsExt.SERVER_NAME:
        if (r.hasSni) r.extErr = WireErr.BAD_EXTENSION; else { r.hasSni = true; readSni(r, dp, el); }
        break;
      case TlsExt.ALPN:
        if (r.hasAlpn) r.extErr = WireErr.BAD_EXTENSION; else { r.hasAlpn = true; readAlpn(r, dp, el); }
        break;
      case TlsExt.SUPPORTED_VERSIONS:
        if (r.hasVersions) r.extErr = WireErr.BAD_EXTENSION; else { r.hasVersions = true; readVersions(r, dp, el); }
        break;
      case TlsExt.SIGNATURE_ALGORITHMS:
        if (r.hasSigAlgs) r.extErr = WireErr.BAD_EXTENSION; else { r.hasSigAlgs = true; readSigAlgs(r, dp, el); }
        break;
    }
  }
  // The extensions block must end the message (RFC 8446 §4.1.2 has nothing after it).
  if (extEnd != declared) return WireErr.BAD_LENGTH;
  return WireErr.OK;
}

/** Decodes the ServerHello handshake message at p (header included; len captured bytes). */
export function parseServerHello(p: usize, len: i32, r: ServerHelloRepr): WireErr {
  r.length = 0; r.legacyVersion = 0; r.random = 0; r.sessionId = 0; r.sessionIdLen = 0;
  r.cipherSuite = 0; r.compression = 0; r.helloRetryRequest = false; r.extCount = 0; r.extN = 0;
  r.hasSelectedVersion = false; r.selectedVersion = 0; r.version = 0;
  r.hasAlpn = false; r.alpn = 0; r.alpnLen = 0; r.extErr = WireErr.OK;
  let off = helloStart(p, len, 2);
  if (off < 0) return <WireErr>(-off);
  const end = helloEnd, declared = helloDeclared;
  r.length = declared - 4;
  r.legacyVersion = be16(p + 4);
  r.version = r.legacyVersion;
  r.random = p + 6;
  r.helloRetryRequest = memory.compare(p + 6, HRR_RANDOM, 32) == 0;
  r.sessionIdLen = off - 39;
  r.sessionId = p + 39;
  // cipher_suite(2) + legacy_compression_method(1)
  if (off + 3 > end) return overrun(off + 3, declared);
  r.cipherSuite = be16(p + <usize>off);
  r.compression = <u32>load<u8>(p + <usize>(off + 2));
  off += 3;
  if (off == declared) return WireErr.OK;      // RFC 5246 §7.4.1.3: extensions are optional
  const eb = extBlock(p, off, end, declared);
  if (eb != WireErr.OK) return eb;
  while (extOff < extEnd) {
    const ne = nextExt(p);
    if (ne != WireErr.OK) return ne;
    const type = extType, el = extLength, d = extData;
    r.extCount++;
    if (r.extN < MAX_TLS_EXTENSIONS) { unchecked(r.extTypes[r.extN] = <u16>type); r.extN++; }
    const dp = p + <usize>d;
    if (type == TlsExt.SUPPORTED_VERSIONS) {
      // RFC 8446 §4.2.1 (ServerHello form): a single selected_version.
      if (r.hasSelectedVersion || el != 2) r.extErr = WireErr.BAD_EXTENSION;
      else { r.hasSelectedVersion = true; r.selectedVersion = be16(dp); r.version = r.selectedVersion; }
    } else if (type == TlsExt.ALPN) {
      // RFC 7301 §3.1: the server's list holds exactly one ProtocolName.
      if (r.hasAlpn || el < 3 || 2 + <i32>be16(dp) != el || 3 + <i32>load<u8>(dp + 2) != el || load<u8>(dp + 2) == 0) {
        r.extErr = WireErr.BAD_EXTENSION;
      } else { r.hasAlpn = true; r.alpn = dp + 3; r.alpnLen = el - 3; }
    }
  }
  if (extEnd != declared) return WireErr.BAD_LENGTH;
  return WireErr.OK;
}

// ───────────────────────────── JA4 ─────────────────────────────

// Scratch for sorting: MAX_TLS_CIPHERS (≥ MAX_TLS_EXTENSIONS) u16 values.
const SORT: usize = memory.data(256);
// Longest text hashed: 128 ciphers × "xxxx," or 64 extensions + "_" + 64 signature algorithms.
const TEXT: usize = memory.data(640);
const DIGEST: usize = memory.data(32);

@inline function hexDigit(d: u32): u8 { return <u8>(d < 10 ? 0x30 + d : 0x57 + d); }

@inline function isAlnum(c: u32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

// Writes v as 4 lowercase hex digits at q.
@inline function hex4(q: usize, v: u32): void {
  store<u8>(q, hexDigit((v >> 12) & 15)); store<u8>(q + 1, hexDigit((v >> 8) & 15));
  store<u8>(q + 2, hexDigit((v >> 4) & 15)); store<u8>(q + 3, hexDigit(v & 15));
}

// Writes min(n, 99) as two decimal digits at q.
@inline function count2(q: usize, n: i32): void {
  const c = n > 99 ? 99 : n;
  store<u8>(q, <u8>(0x30 + c / 10)); store<u8>(q + 1, <u8>(0x30 + c % 10));
}

// Sorts the n u16 values at SORT ascending (n ≤ 128: insertion sort is enough).
function sortScratch(n: i32): void {
  for (let i = 1; i < n; i++) {
    const v = load<u16>(SORT + (<usize>i << 1));
    let j = i - 1;
    while (j >= 0 && load<u16>(SORT + (<usize>j << 1)) > v) {
      store<u16>(SORT + (<usize>(j + 1) << 1), load<u16>(SORT + (<usize>j << 1)));
      j--;
    }
    store<u16>(SORT + (<usize>(j + 1) << 1), v);
  }
}

// Appends the n values at SORT as "xxxx,xxxx" at TEXT + at; returns the new text length.
function joinScratch(at: i32, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    if (i > 0) { store<u8>(TEXT + <usize>at, 0x2c); at++; }
    hex4(TEXT + <usize>at, <u32>load<u16>(SORT + (<usize>i << 1)));
    at += 4;
  }
  return at;
}

// Writes the first 12 hex digits of SHA-256(TEXT[0..n)) at q, or "000000000000" when the list
// was empty (JA4 prints zeros rather than the hash of nothing).
function hash12(q: usize, n: i32): void {
  if (n == 0) { memory.fill(q, 0x30, 12); return; }
  sha256(TEXT, n, DIGEST);
  for (let i: usize = 0; i < 6; i++) {
    const b = <u32>load<u8>(DIGEST + i);
    store<u8>(q + (i << 1), hexDigit(b >> 4));
    store<u8>(q + (i << 1) + 1, hexDigit(b & 15));
  }
}

/** Writes the 36-character JA4 fingerprint of a parsed ClientHello at out ('t' TCP, 'q' QUIC, 'd' DTLS) and returns 36. */
export function ja4(r: ClientHelloRepr, transport: u8, out: usize): i32 {
  store<u8>(out, transport);
  // Version: the highest non-GREASE supported_versions entry, else the legacy field (the record
  // version is never used). DTLS codes are in the spec's table too.
  const v = r.hasVersions && r.versionMax != 0 ? r.versionMax : r.legacyVersion;
  let v0: u8 = 0x30, v1: u8 = 0x30;
  switch (v) {
    case 0x0304: v0 = 0x31; v1 = 0x33; break;
    case 0x0303: v0 = 0x31; v1 = 0x32; break;
    case 0x0302: v0 = 0x31; v1 = 0x31; break;
    case 0x0301: v0 = 0x31; v1 = 0x30; break;
    case 0x0300: v0 = 0x73; v1 = 0x33; break;  // "s3"
    case 0x0002: v0 = 0x73; v1 = 0x32; break;  // "s2"
    case 0xfeff: v0 = 0x64; v1 = 0x31; break;  // "d1"
    case 0xfefd: v0 = 0x64; v1 = 0x32; break;  // "d2"
    case 0xfefc: v0 = 0x64; v1 = 0x33; break;  // "d3"
  }
  store<u8>(out + 1, v0); store<u8>(out + 2, v1);
  store<u8>(out + 3, r.hasSni ? 0x64 : 0x69);                       // "d" domain, "i" IP
  count2(out + 4, r.cipherCount - r.cipherGreaseCount);              // over the whole message,
  count2(out + 6, r.extCount - r.extGreaseCount);                    // SNI and ALPN included
  // ALPN: first and last character of the first value; if either is not alphanumeric, the first
  // and last hex digit of that value instead; "00" without a (non-empty) first value.
  let a0: u8 = 0x30, a1: u8 = 0x30;
  if (r.alpnN > 0 && unchecked(r.alpnLen[0]) > 0) {
    const f = <u32>r.alpnFirst, l = <u32>r.alpnLast;
    if (isAlnum(f) && isAlnum(l)) { a0 = <u8>f; a1 = <u8>l; }
    else { a0 = hexDigit(f >> 4); a1 = hexDigit(l & 15); }
  }
  store<u8>(out + 8, a0); store<u8>(out + 9, a1);
  store<u8>(out + 10, 0x5f);
  // b: sorted cipher suites, GREASE left out.
  let n = 0;
  for (let i = 0; i < r.cipherN; i++) {
    if (!unchecked(r.cipherGrease[i])) { store<u16>(SORT + (<usize>n << 1), unchecked(r.ciphers[i])); n++; }
  }
  sortScratch(n);
  hash12(out + 11, joinScratch(0, n));
  store<u8>(out + 23, 0x5f);
  // c: sorted extensions without GREASE, SNI and ALPN, then "_" and the signature algorithms in
  // their own order (GREASE left out too), the "_" only when there are some.
  n = 0;
  for (let i = 0; i < r.extN; i++) {
    const t = <u32>unchecked(r.extTypes[i]);
    if (!unchecked(r.extGrease[i]) && t != TlsExt.SERVER_NAME && t != TlsExt.ALPN) {
      store<u16>(SORT + (<usize>n << 1), <u16>t); n++;
    }
  }
  sortScratch(n);
  let at = n > 0 ? joinScratch(0, n) : 0;
  if (n > 0) {
    let first = true;
    for (let i = 0; i < r.sigAlgN; i++) {
      const s = <u32>unchecked(r.sigAlgs[i]);
      if (isGrease(s)) continue;
      store<u8>(TEXT + <usize>at, first ? 0x5f : 0x2c); at++;
      hex4(TEXT + <usize>at, s); at += 4;
      first = false;
    }
  }
  hash12(out + 24, at);
  return JA4_LEN;
}
