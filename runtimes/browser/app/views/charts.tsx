/**
 * uPlot charts: the timeline (packets/s and bytes/s by protocol, drag to select a range) and the
 * latency histogram. Times on the axis and in the legend are the page's time setting (format.ts
 * TimeFormat), not uPlot's local-time default; colours follow the page's theme (dark or light).
 * The x tick labels last drawn are kept in the chart's data-x-ticks (what the canvas shows).
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Range, Timeline } from '../protocol.js';
import type { TimeFormat } from '../format.js';

/** 1500 → 1.5k, 2300000 → 2.3M: axis labels that fit. */
function si(v: number | null): string {
  if (v == null) return '';
  const a = Math.abs(v);
  for (const [d, u] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (a >= d) return `${+(v / d).toPrecision(3)}${u}`;
  return String(+v.toPrecision(3));
}

const LIGHT: Record<string, string> = { HTTP: '#2e7d32', TLS: '#6a1b9a', DNS: '#1565c0', TCP: '#78909c', UDP: '#00838f', ICMP: '#ef6c00', ARP: '#8d6e63', Other: '#9e9e9e' };
const DARK: Record<string, string> = { HTTP: '#81c784', TLS: '#ce93d8', DNS: '#64b5f6', TCP: '#b0bec5', UDP: '#4dd0e1', ICMP: '#ffb74d', ARP: '#bcaaa4', Other: '#bdbdbd' };

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const LABEL_FONT = `bold ${FONT}`;

/** The theme's colours (app.css custom properties), read when a chart is drawn. */
function theme(): { fg: string; muted: string; grid: string } {
  const cs = getComputedStyle(document.documentElement);
  const v = (k: string, d: string) => cs.getPropertyValue(k).trim() || d;
  return { fg: v('--fg', '#1d232a'), muted: v('--muted', '#66707a'), grid: v('--grid', '#e6e9ec') };
}

let measurer: CanvasRenderingContext2D | null = null;
/** Width (CSS px) of the widest label, so that a y axis is as wide as its labels need. */
function widest(values: string[] | null): number {
  measurer ??= document.createElement('canvas').getContext('2d');
  if (!measurer || !values) return 0;
  measurer.font = FONT;
  return Math.max(0, ...values.map((s) => measurer!.measureText(s).width));
}
/** A y axis's size: its widest label, the gap and the ticks (uPlot's default of 50 cut "10,000" to "0,000"). */
const fitSize = (_u: uPlot, values: string[] | null) => Math.max(40, Math.ceil(widest(values)) + 22);

/** Axis options in the theme's colours. */
function axis(t: ReturnType<typeof theme>, extra: uPlot.Axis): uPlot.Axis {
  return { stroke: t.fg, font: FONT, labelFont: LABEL_FONT, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, ...extra };
}

/** Props of TimelineChart: `first` (ms) is the first packet's time, for the relative time modes. */
export interface TimelineProps { data: Timeline; metric: 'packets' | 'bytes'; onRange(r: Range): void; tf: TimeFormat; first: number; dark: boolean; height?: number }

/** One timeline chart; `onRange` receives the dragged range in ms since the epoch. */
export function TimelineChart({ data, metric, onRange, tf, first, dark, height = 220 }: TimelineProps) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = el.current;
    if (!box) return;
    const t = theme();
    // x is seconds since the epoch on an absolute time axis, else seconds since the first packet.
    const x = tf.absolute ? data.t : data.t.map((s) => s - first / 1000);
    const ms = (v: number) => (tf.absolute ? v * 1000 : v * 1000 + first);
    const unit = metric === 'packets' ? 'packets/s' : 'bytes/s';
    const colours = dark ? DARK : LIGHT;
    const opts: uPlot.Options = {
      width: box.clientWidth || 800, height,
      title: unit,
      cursor: { drag: { x: true, y: false, setScale: false } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: tf.absolute } },
      // Tick positions on whole UTC seconds, minutes and hours in UTC mode (uPlot aligns to local time otherwise).
      ...(tf.mode === 'utc' ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC') } : {}),
      axes: [
        axis(t, {
          label: tf.titleAt('Time'),
          // Room for a tick label to the microsecond ("10:34:38.798123"): uPlot's default packs them into each other.
          space: 110,
          values: (_u, splits, _i, _space, incr) => {
            const labels = splits.map((v) => (v == null ? '' : tf.tick(ms(v), incr * 1000)));
            box.dataset.xTicks = JSON.stringify(labels);
            return labels;
          },
        }),
        axis(t, { label: unit, size: fitSize, values: (_u, vals) => vals.map(si) }),
      ],
      series: [
        { label: tf.titleAt('Time'), value: (_u, v) => (v == null ? '—' : tf.at(ms(v))) },
        ...data.classes.map((c) => ({ label: c, stroke: colours[c] ?? t.muted, width: 1.5, points: { show: false }, value: (_u: uPlot, v: number | null) => (v == null ? '—' : si(v)) })),
      ],
      hooks: {
        setSelect: [(u: uPlot) => {
          if (u.select.width < 2) return;
          const a = u.posToVal(u.select.left, 'x'), b = u.posToVal(u.select.left + u.select.width, 'x');
          onRange([ms(a), ms(b)]);
        }],
      },
    };
    const plot = new uPlot(opts, [x, ...(metric === 'packets' ? data.packets : data.bytes)] as uPlot.AlignedData, box);
    box.setAttribute('aria-label', `${unit} by protocol over time, ${tf.titleAt('time')}`);
    const resize = new ResizeObserver(() => plot.setSize({ width: box.clientWidth || 800, height }));
    resize.observe(box);
    return () => { resize.disconnect(); plot.destroy(); };
  }, [data, metric, tf, first, dark]);
  return <div class="chart" ref={el} role="img" data-testid={`timeline-${metric}`} />;
}

/** The latency histogram: exchanges per log-spaced latency bin. */
export function Histogram({ edges, counts, dark }: { edges: number[]; counts: number[]; dark: boolean }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current || edges.length === 0) return;
    const t = theme();
    const fill = dark ? 'rgba(129,199,132,0.35)' : 'rgba(46,125,50,0.35)';
    const opts: uPlot.Options = {
      width: el.current.clientWidth || 800, height: 180, title: 'latency (ms, log scale)',
      scales: { x: { time: false, distr: 3 } },
      axes: [
        axis(t, { label: 'latency (ms)', values: (_u, vals) => vals.map((v) => (v == null ? '' : v >= 1 ? si(v) : v.toPrecision(2))) }),
        axis(t, { label: 'exchanges', size: fitSize, values: (_u, vals) => vals.map(si) }),
      ],
      series: [{}, { label: 'exchanges', stroke: dark ? '#81c784' : '#2e7d32', fill, paths: uPlot.paths.bars!({ size: [0.9, 40] }), points: { show: false } }],
      legend: { show: false },
    };
    const plot = new uPlot(opts, [edges, counts] as uPlot.AlignedData, el.current);
    return () => plot.destroy();
  }, [edges, counts, dark]);
  return <div class="chart" ref={el} role="img" aria-label="exchanges by latency" data-testid="latency-histogram" />;
}
