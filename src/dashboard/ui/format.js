// How numbers, times and states read on the page.

export const LIVE = ['queued', 'running'];
export const STATUSES = ['queued', 'running', 'completed', 'failed', 'timed_out', 'cancelled', 'interrupted'];
export const FAILED = ['failed', 'timed_out', 'interrupted'];

export function duration(ms) {
  if (ms === undefined || ms === null) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} m ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} m`;
}

/** How long a task has taken: its duration once ended, the time since it was queued while live. */
export function elapsed(task, now = Date.now()) {
  if (task.durationMs !== undefined) return duration(task.durationMs);
  return duration(Math.max(0, now - task.queuedAt));
}

export function tokens(n) {
  if (!n) return '0';
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function cost(usd) {
  if (usd === null || usd === undefined) return '—';
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

export function clock(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return today ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

export const statusLabel = (s) => s.replace('_', ' ');

export const shortId = (id) => (id.length > 14 ? `${id.slice(0, 12)}…` : id);

/** A model id without its provider, which the column header already says. */
export const modelName = (m) => (m ? m.replace(/^[^:]+:/, '') : '');

export function json(value) {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}
