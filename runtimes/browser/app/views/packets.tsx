/**
 * The Packets view: the filtered packet table and the open packet's detail (its record as a
 * tree, its bytes). The open packet is the page's (the hash's `pkt`): it is found in the view
 * with `locate`, scrolled to among its neighbours, and shown even when the filter leaves it out.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { Engine } from '../client.js';
import type { Detail, Located, Row } from '../protocol.js';
import { VTable, type Column } from './table.js';
import { JsonTree } from './json.js';
import { hexdump, plural, count, type TimeFormat } from '../format.js';

const protoClass = (p: string) => `p-${p.replace(/[^A-Za-z0-9]/g, '')}`;

function packetColumns(tf: TimeFormat, files: boolean): Column<Row>[] {
  const file: Column<Row>[] = files ? [{ title: 'File', width: 'minmax(90px, 1fr)', cell: (r) => r.file }] : [];
  return [
    { title: 'No.', width: '70px', cell: (r) => r.num, className: 'num' },
    { title: tf.title('Time'), width: tf.absolute ? '130px' : '150px', cell: (r, prev) => tf.row(r.time, prev === null ? null : prev?.time), className: tf.absolute ? '' : 'num' },
    { title: 'Source', width: 'minmax(120px, 1fr)', cell: (r) => r.src },
    { title: 'Destination', width: 'minmax(120px, 1fr)', cell: (r) => r.dst },
    { title: 'Protocol', width: '80px', cell: (r) => r.proto },
    { title: 'Length', width: '64px', cell: (r) => r.len, className: 'num' },
    { title: 'Message', width: 'minmax(200px, 4fr)', cell: (r) => r.message },
    ...file,
  ];
}

/** Props of PacketsView. */
export interface PacketsProps {
  engine: Engine;
  /** Packets in the view. */
  total: number;
  /** Changes when the view's rows do (a new filter, the end of loading). */
  version: string;
  tf: TimeFormat;
  /** The capture is still loading (a packet not found yet may come). */
  loading: boolean;
  /** The capture is several files read as one: a File column names each packet's. */
  files: boolean;
  /** The open packet (pcap.num), or null. */
  open: number | null;
  /** Opens packet `num`: a new history entry, or (`replace`) in place of this one (the cursor moving with the detail open). */
  onOpen(num: number, replace: boolean): void;
  onClose(): void;
  /** Clears the filter, so that the open packet is among the rows. */
  onShowAll(): void;
  /** Opens Follow stream on the open TCP packet's connection (its record's `flow`); absent: no such button. */
  onFollow?(flow: string): void;
}

/** The packet table and the open packet's detail. */
export function PacketsView(p: PacketsProps) {
  const [cursor, setCursor] = useState<number | null>(null);
  const [found, setFound] = useState<{ num: number; at: Located } | { num: number; error: string } | null>(null);
  const [det, setDet] = useState<Detail | null>(null);
  const [reveal, setReveal] = useState<{ index: number; seq: number } | undefined>(undefined);
  const viewVersion = p.version.split(':')[0];

  // A new view: the cursor goes back to the open packet's row (found again below), or to none.
  useEffect(() => { setCursor(null); }, [viewVersion]);
  // Where the open packet is in this view; then its detail.
  useEffect(() => {
    if (p.open === null) { setFound(null); setDet(null); return; }
    const num = p.open;
    let live = true;
    p.engine.ask<Located>({ op: 'locate', num }).then((at) => {
      if (!live) return;
      setFound({ num, at });
      if (at.index >= 0) { setCursor(at.index); setReveal((r) => ({ index: at.index, seq: (r?.seq ?? 0) + 1 })); }
    }, (e: Error) => { if (live) { setFound({ num, error: e.message }); setDet(null); } });
    return () => { live = false; };
  }, [p.open, viewVersion]);
  const pos = found && 'at' in found && found.num === p.open ? found.at.pos : null;
  useEffect(() => {
    if (pos === null) return;
    let live = true;
    p.engine.ask<Detail>({ op: 'detail', pos }).then((d) => { if (live) setDet(d); }, () => { if (live) setDet(null); });
    return () => { live = false; };
  }, [pos]);

  const fetch = useCallback((start: number, n: number) => p.engine.ask<{ total: number; rows: Row[] }>({ op: 'rows', start, count: n }), [p.engine]);
  const columns = useMemo(() => packetColumns(p.tf, p.files), [p.tf, p.files]);
  const outside = found && 'at' in found && found.at.index < 0 && found.num === p.open;
  const shown = p.open !== null && det !== null && det.num === p.open;
  return (
    <div class={`split ${shown ? 'with-detail' : ''}`}>
      <VTable columns={columns} fetch={fetch} version={p.version} total={p.total} cursor={cursor} reveal={reveal} testid="packets" rowTestid="packet-row" label="Packets"
        onCursor={(i, row) => { setCursor(i); if (p.open !== null) p.onOpen(row.num, true); }}
        onOpen={(i, row) => { setCursor(i); if (row.num !== p.open) p.onOpen(row.num, false); }}
        rowClass={(r) => `${protoClass(r.proto)} ${r.severity === 'ERROR' ? 'sev-error' : ''} ${r.num === p.open ? 'open' : ''}`} />
      {p.open !== null && found && 'error' in found && found.num === p.open && (
        <div class="detail"><div class="banner notice" data-testid="detail-missing">{p.loading ? `Packet #${p.open} is not loaded yet.` : `There is no packet #${p.open} in this capture.`} <button onClick={p.onClose}>Close</button></div></div>
      )}
      {shown && (
        <RecordDetail d={det} tf={p.tf} onClose={p.onClose} {...(p.onFollow ? { onFollow: p.onFollow } : {})}>
          {outside && (
            <div class="banner notice outside" data-testid="outside-filter">
              The filter leaves packet #{det.num} out of the {plural(p.total, 'packet')} shown. <button onClick={p.onShowAll} data-testid="show-all">Show it among all packets</button>
            </div>
          )}
        </RecordDetail>
      )}
    </div>
  );
}

/** A record's time (ms) from its `timestamp` (seconds and nanos); NaN without one. */
function recordTime(r: unknown): number {
  const t = (r as { timestamp?: { seconds?: number | string; nanos?: number } } | null)?.timestamp;
  return t && t.seconds !== undefined ? Number(t.seconds) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;
}

function RecordDetail({ d, tf, onClose, onFollow, children }: { d: Detail; tf: TimeFormat; onClose(): void; onFollow?(flow: string): void; children?: ComponentChildren }) {
  const parsed = useMemo(() => JSON.parse(d.text) as unknown, [d.text]);
  // A TCP packet's connection: its record's top-level flow (the same both ways).
  const rec = parsed as { flow?: unknown; L4?: { seq?: unknown } } | null;
  const flow = typeof rec?.flow === 'string' && rec.L4?.seq !== undefined ? rec.flow : null;
  const time = recordTime(parsed);
  const [copied, setCopied] = useState(false);
  const copy = () => { void navigator.clipboard.writeText(d.text).then(() => { setCopied(true); setTimeout(() => setCopied(false), 1500); }); };
  return (
    <div class="detail" data-testid="detail" data-pos={d.pos} data-num={d.num} role="region" aria-label={`Packet ${d.num}`}>
      {children}
      <div class="detail-head">
        <span>Packet #{d.num}</span>
        {Number.isFinite(time) && <span class="muted detail-time" data-testid="detail-time">{tf.label(time)}</span>}
        <span class="spacer" />
        {onFollow && flow !== null && <button onClick={() => onFollow(flow)} data-testid="detail-follow" title="This packet's connection, both ways, reassembled">Follow stream</button>}
        <button onClick={copy} data-testid="copy-record">{copied ? 'Copied' : 'Copy record'}</button>
        <button onClick={onClose} aria-label="Close the packet (Esc)" title="Close (Esc)" data-testid="close-detail">×</button>
      </div>
      <pre class="record-text" hidden data-testid="record-text">{d.text}</pre>
      <JsonTree value={parsed} />
      {d.bytesNote !== undefined
        ? <div class="muted" data-testid="bytes-note">{d.bytesNote}</div>
        : <><div class="detail-head">Bytes ({count(d.bytes.length)}, {d.file !== undefined ? `from ${d.file}, at offset ${count(d.fileOffset)} of the merged capture` : `at file offset ${count(d.fileOffset)}`})</div>
          <pre class="hex" data-testid="hex">{hexdump(d.bytes)}</pre></>}
    </div>
  );
}
