// The L7 object: a best-effort text of a payload no parser claimed (reference §5.4).

import { frag, w, b, u32dec, str, strBody, pos, setPos } from "./writer";
import { S } from "../facts/packet";
import { L7_BUF, SUFFIX_BUF, R } from "./scratch";
import { K_ELLIPSIS } from "./http1";

const K_L7_LENGTH = frag("{\"length\":");
const K_L7_CONTENT = frag("{\"content\":");
const K_L7_LENGTH_C = frag(",\"length\":");
const K_L7_SAMPLE = frag(",\"sample\":");
const K_SIZE_SUFFIX = frag(" | size:");

/** L7 = {length, content (≤ 128 bytes) | sample (125 bytes + "...")} of the packet's payload, and " | size:n" (reference §2.3.11). */
export function renderL7(): void {
  const save = pos;
  setPos(L7_BUF);
  if (S.payloadLen <= 128) { w(K_L7_CONTENT); str(S.payload, S.payloadLen); w(K_L7_LENGTH_C); u32dec(<u32>S.payloadLen); }
  else { w(K_L7_LENGTH); u32dec(<u32>S.payloadLen); w(K_L7_SAMPLE); b(0x22); strBody(S.payload, 125); w(K_ELLIPSIS); b(0x22); }
  b(0x7d);
  R.l7Len = <i32>(pos - L7_BUF);
  setPos(SUFFIX_BUF);
  w(K_SIZE_SUFFIX); u32dec(<u32>S.payloadLen);
  R.suffixLen = <i32>(pos - SUFFIX_BUF);
  setPos(save);
}
