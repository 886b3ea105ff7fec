export function* dnsScript(c) { c.done = true; }
