// Decode problems of one packet's layers. They are reported in the record's `err` array
// (with the layer name) and never stop the packet's other layers from being rendered.

/** Why a layer could not be decoded completely. */
export const enum WireErr {
  OK = 0,
  TRUNCATED = 1,
  BAD_VERSION = 2,
  BAD_HEADER_LENGTH = 3,
  BAD_TOTAL_LENGTH = 4,
  BAD_OPTION = 5,
  TOO_SMALL = 6,
  BAD_NAME = 7,
  BAD_POINTER = 8,
  BAD_RDATA = 9,
  TOO_MANY_EXTENSIONS = 10,
  BAD_CONTENT_TYPE = 11,
  BAD_RECORD_LENGTH = 12,
  BAD_HANDSHAKE_TYPE = 13,
  BAD_LENGTH = 14,
  BAD_EXTENSION = 15,
  TOO_MANY_LABELS = 16,
  BAD_GTP_EXTENSION = 17,
  TOO_MANY_GTP_EXTENSIONS = 18,
  BAD_FLAGS = 19,
  TOO_MANY_ENCAPS = 20,
  /** How many there are (the renderer's table of messages has one per value). */
  COUNT = 21,
}

/** Message text of a decode problem (the `msg` of an `err` entry). */
export function wireReason(e: WireErr): string {
  switch (e) {
    case WireErr.TRUNCATED: return "truncated: the captured bytes end inside this header";
    case WireErr.BAD_VERSION: return "invalid version field";
    case WireErr.BAD_HEADER_LENGTH: return "invalid header length field";
    case WireErr.BAD_TOTAL_LENGTH: return "total length smaller than the header";
    case WireErr.BAD_OPTION: return "invalid option length";
    case WireErr.TOO_SMALL: return "length field smaller than the header";
    case WireErr.BAD_NAME: return "invalid DNS name (label or name too long, or cut off)";
    case WireErr.BAD_POINTER: return "invalid DNS compression pointer (forward or out of range)";
    case WireErr.BAD_RDATA: return "DNS record data does not fit its type or length";
    case WireErr.TOO_MANY_EXTENSIONS: return "too many IPv6 extension headers";
    case WireErr.BAD_CONTENT_TYPE: return "TLS record content type is not 20..24";
    case WireErr.BAD_RECORD_LENGTH: return "TLS record longer than 2^14 + 2048 bytes";
    case WireErr.BAD_HANDSHAKE_TYPE: return "not the expected TLS handshake message";
    case WireErr.BAD_LENGTH: return "a TLS length runs past its enclosing vector";
    case WireErr.BAD_EXTENSION: return "malformed or repeated TLS extension";
    case WireErr.TOO_MANY_LABELS: return "MPLS label stack deeper than 8 labels";
    case WireErr.BAD_GTP_EXTENSION: return "GTP-U extension header of length 0";
    case WireErr.TOO_MANY_GTP_EXTENSIONS: return "more than 16 GTP-U extension headers";
    case WireErr.BAD_FLAGS: return "flags the header's version does not allow";
    case WireErr.TOO_MANY_ENCAPS: return "more than 8 link-level encapsulations";
  }
  return "ok";
}
