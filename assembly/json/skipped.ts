// The names records give to what the analysis gave up (facts/why.ts): the value of
// `skipped` in an HTTP object, an HTTP/2 frame object and a TLS object.

import { Why } from "../facts/why";
import { frag, w } from "./writer";

const NAMES = [frag(""), frag("head_too_large"), frag("no_buffer"), frag("buffer_reclaimed"), frag("request_reclaimed"),
  frag("pairing_lost"), frag("no_hpack_table"), frag("block_too_large"), frag("hpack_error")];

/** Writes the name of reason k (without quotes); nothing for NONE or a counter-only kind. */
export function whyText(k: Why): void { if (<i32>k > 0 && <i32>k < NAMES.length) w(unchecked(NAMES[<i32>k])); }
