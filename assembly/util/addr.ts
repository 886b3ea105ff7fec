// Text IP addresses for the WASI command's --iface-addr, as src/ip.ts parses them for the other
// hosts: IPv4 dotted quads, IPv6 in RFC 4291 §2.2 text (with "::" and a dotted-quad tail).
// Runs once per option, so it works on a String.

// Parses a dotted quad into out[0..4); false if invalid.
function ip4(s: string, out: usize): bool {
  const parts = s.split(".");
  if (parts.length != 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length < 1 || p.length > 3) return false;
    let v = 0;
    for (let j = 0; j < p.length; j++) { const c = p.charCodeAt(j); if (c < 48 || c > 57) return false; v = v * 10 + c - 48; }
    if (v > 255) return false;
    store<u8>(out + <usize>i, <u8>v);
  }
  return true;
}

// Parses colon-separated hex groups ("" gives none) into groups; false if one is invalid.
function hexGroups(h: string, groups: Array<i32>): bool {
  if (h.length == 0) return true;
  const parts = h.split(":");
  for (let i = 0; i < parts.length; i++) {
    const g = parts[i];
    if (g.length < 1 || g.length > 4) return false;
    let v = 0;
    for (let j = 0; j < g.length; j++) {
      const c = g.charCodeAt(j);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    groups.push(v);
  }
  return true;
}

/** Parses the address text [p, p + n) into out (16 bytes of room); returns 4 or 16, or 0 if invalid. */
export function parseAddr(p: usize, n: i32, out: usize): i32 {
  let s = String.UTF8.decodeUnsafe(p, <usize>n);
  if (s.indexOf(":") < 0) return ip4(s, out) ? 4 : 0;
  let tail4 = false;
  const last = s.lastIndexOf(":");
  if (s.substring(last + 1).indexOf(".") >= 0) {
    if (!ip4(s.substring(last + 1), out + 12)) return 0;
    tail4 = true;
    s = s.substring(0, last + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return 0;
  const a = new Array<i32>(), b = new Array<i32>();
  if (!hexGroups(halves[0], a)) return 0;
  if (halves.length == 2 && !hexGroups(halves[1], b)) return 0;
  const fill = halves.length == 2 ? 8 - a.length - b.length : 0;
  if (halves.length == 2 && a.length + b.length > 7) return 0;
  if (a.length + fill + b.length != 8) return 0;
  let k = 0;
  const put = (g: i32, k: i32, out: usize): void => { store<u8>(out + <usize>(k * 2), <u8>(g >> 8)); store<u8>(out + <usize>(k * 2 + 1), <u8>g); };
  // The dotted-quad tail was parsed into out[12..16) and stands in for the last two groups.
  for (let i = 0; i < a.length; i++) { if (!(tail4 && k >= 6)) put(a[i], k, out); k++; }
  for (let i = 0; i < fill; i++) { if (!(tail4 && k >= 6)) put(0, k, out); k++; }
  for (let i = 0; i < b.length; i++) { if (!(tail4 && k >= 6)) put(b[i], k, out); k++; }
  return 16;
}
