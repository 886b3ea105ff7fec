// Trace headers of generated requests and the trace each one must give (README differences 19
// and 20): a third of requests carry none, the rest `traceparent`, `X-Cloud-Trace-Context`, or
// both, a few of them malformed. A valid traceparent wins; an invalid header never cancels a
// valid one; spanId is 16 lowercase hex digits (X-Cloud-Trace-Context's decimal span converted);
// trace_sampled comes from the header. The expected trace is [trace id, spanId or null, sampled].

const U64 = (1n << 64n) - 1n;

function traceparent(rng) {
  const id = rng.hex(32), span = rng.hex(16), sampled = rng.chance(0.7);
  const flags = sampled ? rng.pick(['01', '03', '09']) : rng.pick(['00', '02']);
  return { value: `00-${id}-${span}-${flags}`, trace: [id, span, sampled] };
}

function badTraceparent(rng) {
  const id = rng.hex(32), span = rng.hex(16);
  return rng.pick([
    `ff-${id}-${span}-01`,               // version ff is invalid
    `00-${'0'.repeat(32)}-${span}-01`,   // all-zero trace id
    `00-${id}-${'0'.repeat(16)}-01`,     // all-zero parent id
    `00-${id.slice(2)}-${span}-01`,      // short trace id
    `00-${id}-${span}-01-extra`,         // version 00 with extra fields
    `00-${id.slice(0, 31)}g-${span}-01`, // not hex
  ]);
}

function cloudTrace(rng) {
  const id = rng.hex(32);
  const v = rng.int(0, 5);
  if (v === 0) { const span = BigInt.asUintN(64, BigInt(rng.u32()) << 32n | BigInt(rng.u32())); return { value: `${id}/${span};o=1`, trace: [id, span.toString(16).padStart(16, '0'), true] }; }
  if (v === 1) { const span = BigInt(rng.u32()); return { value: `${id}/${span};o=0`, trace: [id, span.toString(16).padStart(16, '0'), false] }; }
  if (v === 2) return { value: `${id};o=1`, trace: [id, null, true] };
  if (v === 3) { const span = BigInt(rng.u32()) + 1n; return { value: `${id}/${span}`, trace: [id, span.toString(16).padStart(16, '0'), false] }; }
  if (v === 4) return { value: `${id}/12ab;o=1`, trace: [id, null, true] };              // span not decimal: no spanId
  return { value: `${id.toUpperCase()}/${U64 + 5n};o=3`, trace: [id, null, true] };      // span over u64: no spanId
}

function badCloudTrace(rng) {
  const id = rng.hex(32);
  return rng.pick([`${id.slice(1)}/1;o=1`, `${id}0/1;o=1`, `${id.slice(0, 31)}x/5;o=1`]);
}

/**
 * Draws the trace headers of one request: { headers: [[name, value]], trace } where trace is
 * the expected [id, span, sampled] or null.
 */
export function drawTrace(rng) {
  const v = rng.weighted([33, 25, 25, 6, 4, 3, 4]);
  const tpName = rng.chance(0.8) ? 'traceparent' : 'Traceparent';
  const xName = rng.chance(0.8) ? 'X-Cloud-Trace-Context' : 'x-cloud-trace-context';
  if (v === 0) return { headers: [], trace: null };
  if (v === 1) { const t = traceparent(rng); return { headers: [[tpName, t.value]], trace: t.trace }; }
  if (v === 2) { const x = cloudTrace(rng); return { headers: [[xName, x.value]], trace: x.trace }; }
  if (v === 3) {
    const t = traceparent(rng), x = cloudTrace(rng);
    const h = rng.chance(0.5) ? [[tpName, t.value], [xName, x.value]] : [[xName, x.value], [tpName, t.value]];
    return { headers: h, trace: t.trace };
  }
  if (v === 4) { const x = cloudTrace(rng); return { headers: [[tpName, badTraceparent(rng)], [xName, x.value]], trace: x.trace }; }
  if (v === 5) { const t = traceparent(rng); return { headers: [[xName, badCloudTrace(rng)], [tpName, t.value]], trace: t.trace }; }
  return { headers: rng.chance(0.5) ? [[tpName, badTraceparent(rng)]] : [[xName, badCloudTrace(rng)]], trace: null };
}

/** Go's http.CanonicalHeaderKey: first letter and letters after '-' upper case, the rest lower. */
export function canonical(name) {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  let up = true, out = '';
  for (const ch of name) { out += up ? ch.toUpperCase() : ch.toLowerCase(); up = ch === '-'; }
  return out;
}
