import { html, useEffect, useRef, useState } from '/ui/assets/vendor/htm-preact.mjs';
import { getJson, onTaskChanges } from './api.js';
import { clock, cost, elapsed, LIVE, modelName, shortId, statusLabel, tokens } from './format.js';
import { navigate } from './route.js';
import { TaskDetail } from './task-detail.js';

// index.html preloads the first page, `tasks?limit=100`: change both together.
const PAGE = 100;
const STATUS_CHOICES = [
  ['', 'Any state'],
  ['queued,running', 'Live'],
  ['completed', 'Completed'],
  ['failed,timed_out,interrupted', 'Failed'],
  ['cancelled', 'Cancelled'],
];
const RANGES = [
  ['', 'Any time'],
  ['900000', 'Last 15 min'],
  ['3600000', 'Last hour'],
  ['86400000', 'Last 24 h'],
  ['604800000', 'Last 7 days'],
];
const EMPTY = { q: '', status: '', agent: '', model: '', parent: '', range: '' };

/** Whether a task that changed belongs in the list as filtered (new tasks are added live). */
function matches(f, t, now) {
  if (f.status && !f.status.split(',').includes(t.status)) return false;
  if (f.agent && t.agentType.toLowerCase() !== f.agent.toLowerCase()) return false;
  if (f.model && t.model !== f.model) return false;
  if (f.parent && t.parentId !== f.parent) return false;
  if (f.range && t.queuedAt < now - Number(f.range)) return false;
  if (!f.q) return true;
  const q = f.q.toLowerCase();
  return [t.id, t.description, t.error?.message ?? ''].some((s) => s.toLowerCase().includes(q));
}

function query(f, cursor) {
  return {
    limit: PAGE,
    q: f.q.trim(),
    status: f.status,
    agent: f.agent,
    model: f.model,
    parent: f.parent.trim(),
    since: f.range ? String(Date.now() - Number(f.range)) : '',
    cursor,
  };
}

export function TasksView({ selected, meta }) {
  const [filters, setFilters] = useState(EMPTY);
  const [search, setSearch] = useState('');
  const [tasks, setTasks] = useState(undefined);
  const [cursor, setCursor] = useState(undefined);
  const [error, setError] = useState(undefined);
  const [reloads, setReloads] = useState(0);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  // Typing searches after a short pause, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => setFilters((f) => (f.q === search ? f : { ...f, q: search })), 200);
    return () => clearTimeout(timer);
  }, [search]);

  useEffect(() => {
    let current = true;
    getJson('tasks', query(filters)).then(
      (page) => {
        if (!current) return;
        setTasks(page.tasks);
        setCursor(page.nextCursor);
        setError(undefined);
      },
      (e) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [filters, reloads]);

  useEffect(
    () =>
      onTaskChanges((changed) => {
        if (changed === null) return setReloads((n) => n + 1);
        const now = Date.now();
        setTasks((list) => {
          if (!list) return list;
          const next = [...list];
          for (const t of changed) {
            const i = next.findIndex((x) => x.id === t.id);
            if (i >= 0) next[i] = t;
            else if (matches(filtersRef.current, t, now)) {
              const at = next.findIndex((x) => x.queuedAt <= t.queuedAt);
              next.splice(at < 0 ? next.length : at, 0, t);
            }
          }
          return next;
        });
      }),
    [],
  );

  const more = () =>
    getJson('tasks', query(filters, cursor)).then((page) => {
      setTasks((list) => [...list, ...page.tasks.filter((t) => !list.some((x) => x.id === t.id))]);
      setCursor(page.nextCursor);
    }, setError);
  const set = (key) => (e) => setFilters((f) => ({ ...f, [key]: e.currentTarget.value }));

  return html`
    <div class=${selected ? 'split with-detail' : 'split'}>
      <section class="list-pane" aria-label="Tasks">
        <form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
          <input type="search" name="q" placeholder="Search tasks…" title="Matches the id, description, prompt, result and error" value=${search}
            onInput=${(e) => setSearch(e.currentTarget.value)} aria-label="Search tasks" />
          <${Select} name="status" value=${filters.status} onChange=${set('status')} choices=${STATUS_CHOICES} />
          <${Select} name="agent" value=${filters.agent} onChange=${set('agent')}
            choices=${[['', 'Any agent'], ...meta.agents.map((a) => [a, a])]} />
          <${Select} name="model" value=${filters.model} onChange=${set('model')}
            choices=${[['', 'Any model'], ...meta.models.map((m) => [m, m])]} />
          <input name="parent" placeholder="Parent task id" value=${filters.parent} onChange=${set('parent')} aria-label="Parent task id" />
          <${Select} name="range" value=${filters.range} onChange=${set('range')} choices=${RANGES} />
        </form>
        ${error && html`<p class="banner error">${error.message}</p>`}
        ${tasks === undefined ? html`<p class="muted pad">Loading tasks…</p>` : html`<${TaskTable} tasks=${tasks} selected=${selected} />`}
        ${cursor && html`<button class="more" onClick=${more}>Load more</button>`}
      </section>
      ${selected && html`<${TaskDetail} key=${selected} id=${selected} />`}
    </div>
  `;
}

function Select({ name, value, onChange, choices }) {
  return html`<select name=${name} value=${value} onChange=${onChange} aria-label=${name}>
    ${choices.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
  </select>`;
}

function TaskTable({ tasks, selected }) {
  const [, setTick] = useState(0);
  const now = Date.now();
  const anyLive = tasks.some((t) => LIVE.includes(t.status));
  // Running tasks' durations tick once a second (a clock on the page; nothing is fetched).
  useEffect(() => {
    if (!anyLive) return;
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [anyLive]);
  if (tasks.length === 0) return html`<p class="muted pad empty">No tasks match.</p>`;
  return html`
    <table class="tasks">
      <thead><tr>
        <th>State</th><th>Task</th><th class="wide">Agent</th><th class="wide">Model</th>
        <th class="num wide">Turns</th><th class="num">Tokens</th><th class="num">Cost</th><th class="num">Time</th><th class="wide">Queued</th>
      </tr></thead>
      <tbody>
        ${tasks.map(
          (t) => html`
          <tr key=${t.id} class=${t.id === selected ? 'selected' : ''} data-task-id=${t.id} data-status=${t.status}
            tabindex="0" onClick=${() => navigate('tasks', t.id)}
            onKeyDown=${(e) => e.key === 'Enter' && navigate('tasks', t.id)}>
            <td><${StatusPill} status=${t.status} /></td>
            <td class="desc">
              <span class="title">${t.parentId ? html`<span class="sub" title="A subagent of ${t.parentId}">↳ </span>` : ''}${t.description}</span>
              <span class="id">${shortId(t.id)}${t.lastTool && LIVE.includes(t.status) ? ` · ${t.lastTool}` : ''}${t.error ? ` · ${t.error.type}` : ''}</span>
            </td>
            <td class="wide">${t.agentType}</td>
            <td class="model wide" title=${t.model}>${modelName(t.model)}</td>
            <td class="num wide">${t.turns}</td>
            <td class="num">${tokens(t.inputTokens + t.outputTokens)}</td>
            <td class="num">${cost(t.costUsd)}</td>
            <td class="num">${elapsed(t, now)}</td>
            <td class="time wide">${clock(t.queuedAt)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  `;
}

export function StatusPill({ status }) {
  return html`<span class=${`pill ${status}`} data-status=${status}>${statusLabel(status)}</span>`;
}
