/** uPlot charts: the timeline (packets/s and bytes/s by protocol, drag to select a range) and the latency histogram. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Range, Timeline } from '../protocol.js';

/** 1500 → 1.5k, 2300000 → 2.3M: axis labels that fit. */
function si(v: number | null): string {
  if (v == null) return '';
  const a = Math.abs(v);
  for (const [d, u] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (a >= d) return `${+(v / d).toPrecision(3)}${u}`;
  return String(+v.toPrecision(3));
}

const COLOURS: Record<string, string> = { HTTP: '#2e7d32', TLS: '#6a1b9a', DNS: '#1565c0', TCP: '#78909c', UDP: '#00838f', ICMP: '#ef6c00', ARP: '#8d6e63', Other: '#9e9e9e' };

/** One timeline chart; `onRange` receives the dragged range in ms since the epoch. */
export function TimelineChart({ data, metric, onRange, height = 220 }: { data: Timeline; metric: 'packets' | 'bytes'; onRange(r: Range): void; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const series = metric === 'packets' ? data.packets : data.bytes;
    const opts: uPlot.Options = {
      width: el.current.clientWidth || 800, height,
      title: metric === 'packets' ? 'packets/s' : 'bytes/s',
      cursor: { drag: { x: true, y: false, setScale: false } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: true } },
      axes: [{}, { size: 60, values: (_u, vals) => vals.map(si) }],
      series: [{}, ...data.classes.map((c) => ({ label: c, stroke: COLOURS[c] ?? '#555', width: 1.5, points: { show: false } }))],
      hooks: {
        setSelect: [(u: uPlot) => {
          if (u.select.width < 2) return;
          const a = u.posToVal(u.select.left, 'x'), b = u.posToVal(u.select.left + u.select.width, 'x');
          onRange([a * 1000, b * 1000]);
        }],
      },
    };
    const plot = new uPlot(opts, [data.t, ...series] as uPlot.AlignedData, el.current);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.current?.clientWidth || 800, height }));
    resize.observe(el.current);
    return () => { resize.disconnect(); plot.destroy(); };
  }, [data, metric]);
  return <div class="chart" ref={el} data-testid={`timeline-${metric}`} />;
}

/** The latency histogram: exchanges per log-spaced latency bin. */
export function Histogram({ edges, counts }: { edges: number[]; counts: number[] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current || edges.length === 0) return;
    const opts: uPlot.Options = {
      width: el.current.clientWidth || 800, height: 160, title: 'latency (ms, log scale)',
      scales: { x: { time: false, distr: 3 } },
      axes: [{ values: (_u, vals) => vals.map((v) => (v == null ? '' : v >= 1 ? String(+v.toPrecision(3)) : v.toPrecision(2))) }, { size: 50 }],
      series: [{}, { label: 'exchanges', stroke: '#2e7d32', fill: 'rgba(46,125,50,0.35)', paths: uPlot.paths.bars!({ size: [0.9, 40] }), points: { show: false } }],
      legend: { show: false },
    };
    const plot = new uPlot(opts, [edges, counts] as uPlot.AlignedData, el.current);
    return () => plot.destroy();
  }, [edges, counts]);
  return <div class="chart" ref={el} data-testid="latency-histogram" />;
}
