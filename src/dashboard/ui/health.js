import { html } from '/ui/assets/vendor/htm-preact.mjs';
import { getJson } from './api.js';
import { duration } from './format.js';
import { useLiveData } from './live-data.js';

/** Loads `path`, and again after task changes (at most once a second): model calls move these figures. */
const useLive = (path) => useLiveData(() => getJson(path), [path], { delayMs: 1000 });

const percent = (x) => `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)} %`;

export function HealthView() {
  const [health, error] = useLive('health');
  if (error) return html`<p class="banner error">${error.message}</p>`;
  if (!health) return html`<p class="muted pad">Loading…</p>`;
  const { providers, load, resilience } = health;
  return html`
    <section class="health">
      <div class="cards">
        <div class="card"><span class="big">${load.active}</span> running</div>
        <div class="card"><span class="big">${load.queued}</span> waiting for a slot (limit ${load.limit})</div>
        <div class="card"><span class="big">${resilience.retries}</span> retries</div>
        <div class="card"><span class="big">${resilience.failovers}</span> failovers</div>
        <div class="card"><span class="big">${resilience.openCircuitWaits}</span> waits on an open circuit</div>
      </div>
      <table class="providers">
        <thead><tr>
          <th>Provider</th><th>Circuit</th><th class="num">Calls</th><th class="num">Error rate</th>
          <th class="num">p50</th><th class="num">p95</th><th class="num">In flight</th>
          <th class="num">Rate-limit waits</th><th class="num">429s</th><th>Last error</th>
        </tr></thead>
        <tbody>${providers.map(
          (p) => html`<tr data-provider=${p.provider}>
            <td><strong>${p.provider}</strong> <span class="muted">${p.kind}</span>${p.baseURL && html`<div class="muted mono small">${p.baseURL}</div>`}</td>
            <td><span class=${`pill circuit-${p.circuit}`}>${p.circuit}</span></td>
            <td class="num">${p.calls}</td>
            <td class="num">${percent(p.recent.errorRate)} <span class="muted small">of ${p.recent.calls}</span></td>
            <td class="num">${duration(p.recent.p50Ms) || '—'}</td>
            <td class="num">${duration(p.recent.p95Ms) || '—'}</td>
            <td class="num">${p.concurrency?.inFlight ?? '—'} / ${p.concurrency?.limit ?? '—'}</td>
            <td class="num">${p.waits.waits} <span class="muted small">${duration(p.waits.waitedMs) || '0 ms'}</span>${p.rateLimit?.queued ? html` · ${p.rateLimit.queued} queued` : ''}</td>
            <td class="num">${p.waits.rateLimited}</td>
            <td class="small">${p.lastError ? `${p.lastError.reason}${p.lastError.status ? ` ${p.lastError.status}` : ''}: ${p.lastError.message}` : ''}</td>
          </tr>`,
        )}</tbody>
      </table>
      ${providers.length === 0 && html`<p class="muted">No providers configured.</p>`}
    </section>
  `;
}

export function QueueView() {
  const [queue, error] = useLive('queue');
  if (error) return html`<p class="banner error">${error.message}</p>`;
  if (!queue) return html`<p class="muted pad">Loading…</p>`;
  if (!queue.enabled) return html`<p class="muted pad">No queue: this server runs tasks itself.</p>`;
  return html`
    <section class="queue">
      <div class="cards">
        ${Object.entries(queue.counts).map(([state, n]) => html`<div class="card" data-count=${state}><span class="big">${n}</span> ${state}</div>`)}
      </div>
      <table class="workers">
        <thead><tr><th>Worker</th><th>Address</th><th class="num">Running</th><th class="num">Concurrency</th><th>Load</th></tr></thead>
        <tbody>${queue.workers.map(
          (w) => html`<tr data-worker=${w.id}>
            <td>${w.name ?? w.id}</td><td class="mono">${w.addr ?? ''}</td>
            <td class="num">${w.running ?? '—'}</td><td class="num">${w.concurrency ?? '—'}</td>
            <td><meter min="0" max=${w.concurrency ?? 1} value=${w.running ?? 0}></meter></td>
          </tr>`,
        )}</tbody>
      </table>
      ${queue.workers.length === 0 && html`<p class="muted">No workers connected.</p>`}
    </section>
  `;
}
