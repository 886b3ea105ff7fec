// The TLS facts of the current packet (RFC 8446 §5.1): the header of every record that starts in
// it, and the ClientHello / ServerHello completed in it (their fields point into a buffer the
// analysis holds until the next packet). flow/tls.ts writes them, json/tls.ts renders them.

import { ClientHelloRepr, ServerHelloRepr } from "../wire/tls";

/** Records listed per packet; more are not shown. */
export const MAX_TLS_RECORDS: i32 = 64;
/** Content type, version and length of each record (S.tlsN of them). */
export const recType = new StaticArray<u8>(MAX_TLS_RECORDS);
export const recVer = new StaticArray<u16>(MAX_TLS_RECORDS);
export const recLen = new StaticArray<u16>(MAX_TLS_RECORDS);

/** The ClientHello completed in this packet (S.helloClient). */
export const hello = new ClientHelloRepr();
/** The ServerHello completed in this packet (S.helloServer). */
export const shello = new ServerHelloRepr();
