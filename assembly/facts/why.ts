// What the analysis gave up, by reason: the value records name (an HTTP object's, an HTTP/2
// frame's or a TLS object's `skipped`) and the counter flow/skips.ts adds to. A fact, so the
// analysis that decides it and the renderers that name it share it without importing each other.

/** Why something was given up (the reason a record names, and the counter it adds to). */
export const enum Why {
  NONE = 0,
  /** An HTTP/1 head longer than the head limit: the lines beyond it are not shown (framing, Host and trace fields are still read). */
  HEAD_TOO_LARGE = 1,
  /** No buffer could be had for a head, header block, hello or frame sample, even after reclaiming. */
  NO_BUFFER = 2,
  /** The buffer of an incomplete head, block or hello was reclaimed while its connection was idle. */
  BUFFER_RECLAIMED = 3,
  /** A response whose request's context was reclaimed while it waited (every exchange of its part was waiting). */
  REQUEST_RECLAIMED = 4,
  /** An HTTP/1 response after a capture gap whose request cannot be known for certain. */
  PAIRING_LOST = 5,
  /** An HTTP/2 header block not decoded: no HPACK table could be had. */
  NO_HPACK_TABLE = 6,
  /** An HTTP/2 header block longer than MAX_HEAD, not decoded. */
  BLOCK_TOO_LARGE = 7,
  /** An HTTP/2 header block whose HPACK decoding failed part-way (fields after the error are not shown). */
  HPACK_ERROR = 8,
  /** HTTP/2 header blocks with fields the table could not resolve because it had missed insertions (counted, the record shows `unknown_headers`). */
  HPACK_DESYNC = 9,
  /** Live connections evicted because their part of the connection table was full. */
  EVICTED_LIVE = 10,
  /** A live connection's last finished exchange reused for another (its pool was full): a later ACK or FIN of it carries no trace. */
  CONTEXT_RECLAIMED = 11,
  COUNT = 12,
}
