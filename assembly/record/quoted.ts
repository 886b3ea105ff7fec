// The packet an ICMP error quotes, decoded further than its headers (issue 23): a DNS message
// it carries (UDP port 53) by the DNS decoder, as far as it was quoted, and an HTTP/1 request or
// status line (TCP). A quote cut inside either is no fault of the packet (RFC 792 asks for only
// 64 bits of the datagram's data): what it holds is kept and why it stops is said in the quote's
// own `err`, not the record's. Decoded once per packet by decode.ts, after the ICMP header.

import { IcmpRepr, IcmpQuote, parseIcmpQuote } from "../wire/icmp";
import { DnsRepr, parseDns } from "../wire/dns";
import { HttpStartLine, HttpLineKind, parseHttpStartLine } from "../wire/http1";
import { WireErr } from "../wire/errors";
import { be16 } from "../util/mem";

/** Where the quoted packet's IP header, transport and application bytes are. */
export const quote = new IcmpQuote();
/** The quoted DNS message, as far as parseDns got (valid when hasDns). */
export const dns = new DnsRepr();
/** The quote carries DNS bytes (UDP port 53), decoded into dns. */
export let hasDns = false;
/** Why the quoted DNS message's decoding stopped (OK: it was read whole). */
export let dnsErr: WireErr = WireErr.OK;
/** The quoted HTTP/1 start line (its kind NONE when the quote has none; cut when the quote ends in it). */
export const http = new HttpStartLine();

/** Decodes what the ICMP error ic quotes (nothing for other messages). */
export function decodeQuote(ic: IcmpRepr, v6: bool): void {
  hasDns = false; dnsErr = WireErr.OK; http.kind = HttpLineKind.NONE;
  parseIcmpQuote(ic, v6, quote);
  if (quote.payloadLen <= 0) return;
  const t = quote.l4;
  if (quote.proto == 17) {
    if (be16(t) == 53 || be16(t + 2) == 53) { hasDns = true; dnsErr = parseDns(quote.payload, quote.payloadLen, dns); }
  } else if (quote.proto == 6) parseHttpStartLine(quote.payload, quote.payloadLen, http);
}
