import { html, useState } from '/ui/assets/vendor/htm-preact.mjs';
import { getJson, postJson } from './api.js';
import { clock, cost, duration, elapsed, LIVE, modelName, tokens } from './format.js';
import { useLiveData } from './live-data.js';
import { navigate } from './route.js';
import { StatusPill } from './task-list.js';
import { Transcript } from './transcript-view.js';

/** Ids of every task in a tree, to know which changes concern the page. */
function idsOf(node, out = new Set()) {
  if (node.kind === 'task') out.add(node.id);
  for (const child of node.children) idsOf(child, out);
  return out;
}

const load = (id) =>
  Promise.all([
    getJson(`tasks/${encodeURIComponent(id)}/transcript`),
    getJson(`tasks/${encodeURIComponent(id)}/tree`),
  ]).then(([transcript, tree]) => ({ transcript, tree, ids: idsOf(tree.root) }));

/** One task: its state and numbers, its error and hint, actions, its tree and its transcript. */
export function TaskDetail({ id }) {
  // Reloaded when a task of its tree changes (or a new child appears), at most every 150 ms.
  const [data, error] = useLiveData(() => load(id), [id], {
    delayMs: 150,
    concerns: (changed, shown) =>
      changed.some((t) => t.id === id || shown?.ids.has(t.id) || shown?.ids.has(t.parentId)),
  });

  if (error) return html`<aside class="detail-pane"><p class="banner error">${error.message}</p></aside>`;
  if (!data) return html`<aside class="detail-pane"><p class="muted pad">Loading…</p></aside>`;
  const { transcript, tree } = data;
  const t = transcript.task;
  return html`
    <aside class="detail-pane" aria-label="Task ${t.id}" data-task-id=${t.id} data-status=${t.status}>
      <header class="detail-head">
        <div class="detail-title">
          <${StatusPill} status=${t.status} />
          <h2>${t.description}</h2>
          <a class="close" href="#/tasks" aria-label="Close">×</a>
        </div>
        <dl class="facts">
          <div><dt>Id</dt><dd class="mono">${t.id}</dd></div>
          <div><dt>Agent</dt><dd>${t.agentType}</dd></div>
          <div><dt>Model</dt><dd class="mono">${t.model ?? '—'}</dd></div>
          <div><dt>Time</dt><dd>${elapsed(t)}</dd></div>
          <div><dt>Turns · tools</dt><dd>${t.turns} · ${t.toolUses}</dd></div>
          <div><dt>Tokens in · out</dt><dd>${tokens(t.inputTokens)} · ${tokens(t.outputTokens)}</dd></div>
          <div><dt>Cost</dt><dd>${cost(t.costUsd)}</dd></div>
          <div><dt>Queued</dt><dd>${clock(t.queuedAt)}</dd></div>
          ${t.retries > 0 && html`<div><dt>Retries</dt><dd>${t.retries}</dd></div>`}
          ${t.parentId && html`<div><dt>Parent</dt><dd><a href=${`#/tasks/${t.parentId}`} class="mono">${t.parentId}</a></dd></div>`}
          ${t.continuesTaskId && html`<div><dt>Continues</dt><dd><a href=${`#/tasks/${t.continuesTaskId}`} class="mono">${t.continuesTaskId}</a></dd></div>`}
        </dl>
        <${Actions} task=${t} />
      </header>
      ${transcript.error && html`<${ErrorBox} error=${transcript.error} status=${t.status} />`}
      <section class="tree-section">
        <h3>Tree</h3>
        <ul class="tree" role="tree"><${TreeNode} node=${tree.root} selected=${t.id} /></ul>
        ${tree.truncated > 0 && html`<p class="muted">${tree.truncated} more not shown.</p>`}
      </section>
      <${Transcript} transcript=${transcript} />
    </aside>
  `;
}

/** The failure, what caused it and how to fix it: the first thing a person reads. */
export function ErrorBox({ error, status }) {
  return html`
    <section class=${`error-box ${status}`} role="alert" data-error-type=${error.type}>
      <h3><span class="error-type">${error.type}</span> <span class="muted">${status.replace('_', ' ')}</span></h3>
      <p class="error-message">${error.message}</p>
      ${error.hint && html`<p class="error-hint"><strong>How to fix it:</strong> ${error.hint}</p>`}
    </section>
  `;
}

function Actions({ task }) {
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState(undefined);
  const live = LIVE.includes(task.status);
  const act = (path, body, then) => {
    setBusy(true);
    setProblem(undefined);
    postJson(`tasks/${encodeURIComponent(task.id)}/${path}`, body)
      .then(then, setProblem)
      .finally(() => setBusy(false));
  };
  return html`
    <div class="actions">
      ${
        live &&
        html`<button class="danger" name="cancel" disabled=${busy || !task.cancellable}
        title=${task.cancellable ? 'Cancel this task and its subagents' : 'Running in another process: cancel it there'}
        onClick=${() => act('cancel', {}, () => {})}>Cancel</button>`
      }
      ${
        !live &&
        html`<form class="continue" onSubmit=${(e) => {
          e.preventDefault();
          if (message.trim()) act('continue', { message }, (r) => navigate('tasks', r.id));
        }}>
        <input name="message" placeholder="Follow-up message to this agent…" value=${message}
          onInput=${(e) => setMessage(e.currentTarget.value)} aria-label="Follow-up message" />
        <button name="continue" disabled=${busy || !message.trim()}>Continue</button>
      </form>`
      }
      <button name="rerun" disabled=${busy} onClick=${() => act('rerun', {}, (r) => navigate('tasks', r.id))}>Re-run</button>
      ${problem && html`<p class="action-problem" role="alert">${problem.message}${problem.hint ? ` — ${problem.hint}` : ''}</p>`}
    </div>
  `;
}

function TreeNode({ node, selected }) {
  const t = node.task;
  const label =
    node.kind === 'thread'
      ? html`<span class="node-row thread"><span class="badge">client thread</span> <span class="mono">${node.id}</span></span>`
      : html`<a class=${node.id === selected ? 'node-row current' : 'node-row'} href=${`#/tasks/${node.id}`} data-node-id=${node.id}>
          <${StatusPill} status=${t.status} />
          <span class="node-agent">${t.agentType}</span>
          <span class="node-desc">${t.description}</span>
          <span class="node-nums">${modelName(t.model)} · ${t.durationMs !== undefined ? duration(t.durationMs) : elapsed(t)} · ${tokens(t.inputTokens + t.outputTokens)} tok · ${cost(t.costUsd)}</span>
        </a>`;
  return html`
    <li role="treeitem" aria-expanded=${node.children.length ? 'true' : undefined}>
      ${label}
      ${node.children.length > 0 && html`<ul role="group">${node.children.map((c) => html`<${TreeNode} key=${c.id} node=${c} selected=${selected} />`)}</ul>`}
    </li>
  `;
}
