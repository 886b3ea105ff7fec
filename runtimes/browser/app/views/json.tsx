/** A record as a collapsible JSON tree (objects and arrays fold; the first levels start open). */
import { useState } from 'preact/hooks';

function Node({ name, value, depth }: { name: string | null; value: unknown; depth: number }) {
  const [open, setOpen] = useState(depth < 2);
  const label = name === null ? null : <span class="jkey">{JSON.stringify(name)}: </span>;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const [o, c] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    return (
      <div class="jnode">
        <span class="jtoggle" onClick={() => setOpen(!open)} role="button" aria-expanded={open}>{open ? '▾' : '▸'}</span>
        {label}{o}
        {open ? <div class="jchildren">{entries.map(([k, v]) => <Node name={Array.isArray(value) ? null : k} value={v} depth={depth + 1} />)}</div> : <span class="muted"> {entries.length} {entries.length === 1 ? 'item' : 'items'} </span>}
        {c}
      </div>
    );
  }
  const cls = typeof value === 'string' ? 'jstr' : typeof value === 'number' ? 'jnum' : 'jlit';
  return <div class="jleaf">{label}<span class={cls}>{JSON.stringify(value)}</span></div>;
}

/** The tree of one parsed record. */
export function JsonTree({ value }: { value: unknown }) {
  return <div class="jtree" data-testid="json-tree"><Node name={null} value={value} depth={0} /></div>;
}
