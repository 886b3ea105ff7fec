// A tiny AssemblyScript entry compiled by test/diff/ja4.test.ts (not part of the core build):
// it exposes the TLS parser and JA4 through numbers-only exports, so the host test can feed
// ClientHello bytes into linear memory and read the decoded fields back.

import { ClientHelloRepr, parseClientHello, ja4 } from "../../assembly/wire/tls";

const IN: usize = memory.data(65536 + 4);   // the largest handshake message a test feeds
const OUT: usize = memory.data(64);
const r = new ClientHelloRepr();

/** Where the host writes the handshake message. */
export function inputPtr(): usize { return IN; }
/** Where ja4Of writes the fingerprint. */
export function outputPtr(): usize { return OUT; }
/** Parses len bytes at inputPtr() as a ClientHello; returns the WireErr. */
export function parse(len: i32): i32 { return <i32>parseClientHello(IN, len, r); }
/** Writes the JA4 of the last parse at outputPtr() (transport is a character code) and returns its length. */
export function ja4Of(transport: i32): i32 { return ja4(r, <u8>transport, OUT); }
/** Problem found inside an extension body. */
export function extErr(): i32 { return <i32>r.extErr; }
/** SNI host name span (pointer, length; length 0 when absent). */
export function sniPtr(): usize { return r.sni; }
/** Length of the SNI host name. */
export function sniLen(): i32 { return r.sniLen; }
/** Number of kept ALPN names. */
export function alpnN(): i32 { return r.alpnN; }
/** Pointer to ALPN name i. */
export function alpnPtr(i: i32): usize { return r.alpn[i]; }
/** Length of ALPN name i. */
export function alpnLen(i: i32): i32 { return <i32>r.alpnLen[i]; }
/** Cipher suites in the message. */
export function cipherCount(): i32 { return r.cipherCount; }
/** Kept cipher suites. */
export function cipherN(): i32 { return r.cipherN; }
/** Cipher suite i. */
export function cipher(i: i32): i32 { return <i32>r.ciphers[i]; }
/** Kept extensions. */
export function extN(): i32 { return r.extN; }
/** Extension type i. */
export function extType(i: i32): i32 { return <i32>r.extTypes[i]; }
/** Kept signature algorithms. */
export function sigAlgN(): i32 { return r.sigAlgN; }
/** Signature algorithm i. */
export function sigAlg(i: i32): i32 { return <i32>r.sigAlgs[i]; }
/** Kept supported_versions entries. */
export function versionN(): i32 { return r.versionN; }
/** supported_versions entry i. */
export function version(i: i32): i32 { return <i32>r.versions[i]; }
/** legacy_version. */
export function legacyVersion(): i32 { return <i32>r.legacyVersion; }
