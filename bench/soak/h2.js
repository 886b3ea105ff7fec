export function* h2Script(c) { c.done = true; }
