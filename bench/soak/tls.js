export function* tlsScript(c) { c.done = true; }
