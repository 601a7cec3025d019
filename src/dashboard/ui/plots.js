import { html, useEffect, useRef, useState } from '/ui/assets/vendor/htm-preact.mjs';
import { getJson } from './api.js';
import { cost, duration, tokens } from './format.js';
import { useLiveData } from './live-data.js';

const RANGES = [
  [900_000, '15 min'],
  [3_600_000, '1 hour'],
  [21_600_000, '6 hours'],
  [86_400_000, '24 hours'],
  [604_800_000, '7 days'],
];
const STATE_COLOURS = {
  completed: '--ok',
  failed: '--bad',
  timed_out: '--warn',
  interrupted: '--warn',
  cancelled: '--muted',
  running: '--accent',
  queued: '--accent-2',
};
const PALETTE = ['--accent', '--ok', '--warn', '--bad', '--accent-2', '--muted'];
const BUCKET_LABELS = {
  60000: 'minute',
  300000: '5 minutes',
  900000: '15 minutes',
  3600000: 'hour',
  21600000: '6 hours',
  86400000: 'day',
};
// uPlot (~50 kB) is loaded when a chart is first drawn, not with the page.
let uPlotModule;
const loadUPlot = () => {
  uPlotModule ??= import('/ui/assets/vendor/uplot.mjs').then((m) => m.default);
  return uPlotModule;
};
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export function PlotsView() {
  const [range, setRange] = useState(3_600_000);
  const [by, setBy] = useState('agent');
  // New figures when tasks change, at most every 2 s.
  const [series, error] = useLiveData(() => getJson('series', { range }), [range], { delayMs: 2000 });

  if (error) return html`<p class="banner error">${error.message}</p>`;
  if (!series) return html`<p class="muted pad">Loading…</p>`;
  const states = Object.keys(series.perMinute);
  const groups = by === 'agent' ? series.tokensByAgent : series.tokensByModel;
  const bucket = BUCKET_LABELS[series.bucketMs] ?? duration(series.bucketMs);
  return html`
    <div class="plots">
      <div class="plots-bar">
        <label>Range <select value=${range} onChange=${(e) => setRange(Number(e.currentTarget.value))} aria-label="Range">
          ${RANGES.map(([ms, label]) => html`<option value=${ms}>${label}</option>`)}
        </select></label>
        <span class="muted">one point per ${bucket}</span>
      </div>
      <div class="charts">
        <${Chart} id="tasks" title="Tasks per minute, by state" x=${series.x}
          lines=${states.map((s) => ({ label: s.replace('_', ' '), values: series.perMinute[s], colour: STATE_COLOURS[s] }))} />
        <${Chart} id="latency" title="Task duration (p50, p95)" x=${series.x} format=${duration}
          lines=${[
            { label: 'p50', values: series.p50Ms, colour: '--accent', dots: true },
            { label: 'p95', values: series.p95Ms, colour: '--warn', dots: true },
          ]} />
        <${Chart} id="usage" title="Tokens and cost" x=${series.x} format=${tokens} rightFormat=${cost}
          lines=${[
            { label: 'tokens', values: series.tokens, colour: '--accent' },
            { label: 'cost (USD)', values: series.costUsd, colour: '--ok', right: true },
          ]} />
        <${Chart} id="groups" x=${series.x} format=${tokens}
          title=${html`Tokens by <select value=${by} onChange=${(e) => setBy(e.currentTarget.value)} aria-label="Group by">
            <option value="agent">agent</option><option value="model">model</option></select>`}
          lines=${Object.entries(groups).map(([key, values], i) => ({ label: key, values, colour: PALETTE[i % PALETTE.length] }))} />
      </div>
      <div class="group-tables">
        <${GroupTable} title="By agent" rows=${series.agents} />
        <${GroupTable} title="By model" rows=${series.models} />
      </div>
    </div>
  `;
}

/** One uPlot chart: rebuilt when its series change, resized with its box. */
function Chart({ id, title, x, lines, format, rightFormat }) {
  const box = useRef(null);
  const plot = useRef(null);
  const shape = lines.map((l) => l.label).join('|');
  const data = [x, ...lines.map((l) => l.values)];
  const latest = useRef(data);
  latest.current = data;
  const points = lines.reduce((n, l) => n + l.values.filter((v) => v !== null && v !== 0).length, 0);

  useEffect(() => {
    const text = css('--text-2');
    const grid = css('--grid');
    const axis = (scale, side, fmt) => ({
      scale,
      side,
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid },
      ...(fmt ? { values: (_u, ticks) => ticks.map(fmt) } : {}),
      size: 60,
    });
    const hasRight = lines.some((l) => l.right);
    const options = {
      width: box.current.clientWidth,
      height: 200,
      legend: { show: true },
      cursor: { points: { size: 6 } },
      scales: { x: { time: true }, ...(hasRight ? { right: { auto: true } } : {}) },
      series: [
        {},
        ...lines.map((l) => ({
          label: l.label,
          stroke: css(l.colour),
          width: 2,
          spanGaps: true,
          // Durations exist only where tasks ended: dots, so a lone bucket shows.
          points: l.dots ? { show: true, size: 6, fill: css(l.colour) } : { size: 4 },
          // Dashed: on its own scale it may trace the same shape as the line beside it.
          ...(l.right ? { scale: 'right', dash: [6, 4] } : {}),
        })),
      ],
      axes: [
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        axis('y', 3, format),
        ...(hasRight ? [axis('right', 1, rightFormat)] : []),
      ],
    };
    let gone = false;
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: box.current.clientWidth, height: 200 }),
    );
    loadUPlot().then((UPlot) => {
      if (gone) return;
      plot.current = new UPlot(options, latest.current, box.current);
      resize.observe(box.current);
    });
    return () => {
      gone = true;
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape]);
  useEffect(() => plot.current?.setData(data), [data]);

  return html`<figure class="chart" data-chart=${id} data-series=${lines.length} data-points=${points}>
    <figcaption>${title}</figcaption>
    <div ref=${box} class="chart-box"></div>
    ${lines.length === 0 && html`<p class="muted no-data">No tasks in this range.</p>`}
  </figure>`;
}

function GroupTable({ title, rows }) {
  return html`<section class="group-table">
    <h3>${title}</h3>
    <table>
      <thead><tr><th></th><th class="num">Tasks</th><th class="num">Failed</th><th class="num">p50</th><th class="num">p95</th><th class="num">Tokens</th><th class="num">Cost</th></tr></thead>
      <tbody>${rows.map(
        (
          r,
        ) => html`<tr><td class="mono">${r.key}</td><td class="num">${r.tasks}</td><td class="num">${r.failed}</td>
          <td class="num">${duration(r.p50Ms)}</td><td class="num">${duration(r.p95Ms)}</td>
          <td class="num">${tokens(r.tokens)}</td><td class="num">${cost(r.costUsd)}</td></tr>`,
      )}</tbody>
    </table>
    ${rows.length === 0 && html`<p class="muted">No tasks in this range.</p>`}
  </section>`;
}
