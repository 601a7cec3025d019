import { html } from '/ui/assets/vendor/htm-preact.mjs';
import { clock, duration, json } from './format.js';

/** Each model turn, each tool call with its arguments and result, retries and failovers, then the end. */
export function Transcript({ transcript }) {
  const { input, entries, content, partialContent, outputGuard, task } = transcript;
  return html`
    <section class="transcript" aria-label="Transcript">
      <h3>Transcript</h3>
      ${input?.prompt && html`<div class="entry prompt"><div class="entry-head">Prompt</div><pre>${input.prompt}</pre></div>`}
      ${entries.length === 0 && html`<p class="muted">No model turn yet.</p>`}
      ${entries.map((e, i) => html`<${Entry} key=${i} entry=${e} />`)}
      ${outputGuard && html`<${GuardNotice} report=${outputGuard} />`}
      ${content && html`<div class="entry result"><div class="entry-head">Result</div><pre>${content}</pre></div>`}
      ${partialContent && html`<div class="entry partial"><div class="entry-head">Partial output (${task.status.replace('_', ' ')})</div><pre>${partialContent}</pre></div>`}
    </section>
  `;
}

function Entry({ entry: e }) {
  if (e.kind === 'turn') {
    return html`<div class="entry turn" data-kind="turn">
      <div class="entry-head">Turn ${e.turn}<span class="muted"> · ${clock(e.at)}${e.usage ? ` · ${e.usage.input} in / ${e.usage.output} out` : ''}${e.finishReason ? ` · ${e.finishReason}` : ''}</span></div>
      ${e.text ? html`<pre>${e.text}</pre>` : html`<p class="muted">(no text${e.toolCalls.length ? `; called ${e.toolCalls.map((c) => c.name).join(', ')}` : ''})</p>`}
    </div>`;
  }
  if (e.kind === 'tool') {
    const state = e.pending ? 'running' : e.denied ? 'denied' : e.error ? 'error' : 'ok';
    return html`<div class=${`entry tool ${state}`} data-kind="tool" data-tool=${e.name}>
      <div class="entry-head"><span class="tool-name">${e.name}</span><span class="muted"> · ${state}${e.durationMs !== undefined ? ` · ${duration(e.durationMs)}` : ''}</span></div>
      <details open=${JSON.stringify(e.input).length < 400}><summary>Arguments</summary><pre>${json(e.input)}</pre></details>
      ${e.output !== undefined && html`<details><summary>Result (${e.output.length} chars)</summary><pre>${e.output}</pre></details>`}
      ${e.error !== undefined && html`<pre class="tool-error">${e.error}</pre>`}
    </div>`;
  }
  if (e.kind === 'failover') {
    return html`<div class="entry notice failover" data-kind="failover">
      Failover on turn ${e.turn}: <span class="mono">${e.from}</span> → <span class="mono">${e.to}</span> (${e.reason}${e.status ? `, HTTP ${e.status}` : ''})
    </div>`;
  }
  const what = e.outcome === 'failed' ? 'failed' : e.outcome === 'failover' ? 'failed over' : 'retried';
  const why = [
    e.status ? `HTTP ${e.status}` : '',
    e.reason && e.reason !== String(e.status) ? e.reason : '',
    e.waitMs ? `retried after ${duration(e.waitMs)}` : '',
  ].filter(Boolean);
  return html`<div class="entry notice retry" data-kind="retry">
    <div class="entry-head">Model call ${what} on turn ${e.turn}${e.model ? html` · <span class="mono">${e.model}</span>` : ''}${why.length ? ` · ${why.join(', ')}` : ''}</div>
    ${e.error && html`<pre>${e.error}</pre>`}
  </div>`;
}

function GuardNotice({ report }) {
  const kinds = report.neutralised.map((n) => `${n.kind} ×${n.count ?? 1}`).join(', ');
  return html`<div class="entry notice guard" data-kind="output-guard">
    The output guard changed this result${kinds ? `: neutralised ${kinds}` : ''}${report.truncated ? `; cut from ${report.originalChars} characters` : ''}.
    ${report.originalPath && html`<span> The original is at <span class="mono">${report.originalPath}</span>.</span>`}
  </div>`;
}
