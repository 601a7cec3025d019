// The dashboard's API client: JSON under /ui/api, errors as { type, message, hint }.

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.type = error?.type ?? 'Error';
    this.hint = error?.hint;
  }
}

async function answer(res) {
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, body?.error);
  return body;
}

export async function getJson(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
  const suffix = query.size ? `?${query}` : '';
  return answer(await fetch(`/ui/api/${path}${suffix}`, { headers: { accept: 'application/json' } }));
}

export async function postJson(path, body = {}) {
  return answer(
    await fetch(`/ui/api/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

/**
 * Follows /ui/api/events: `onTasks(tasks, load)` for every batch of changed tasks, `onState(state)`
 * with 'live' or 'reconnecting'. EventSource reconnects by itself; after a gap the page reloads
 * what it shows (`onState('live')` again), since changes made meanwhile were not sent.
 */
export function followEvents({ onTasks, onState }) {
  const source = new EventSource('/ui/api/events');
  source.addEventListener('hello', (e) => onState('live', JSON.parse(e.data)));
  source.addEventListener('tasks', (e) => {
    const { tasks, load } = JSON.parse(e.data);
    onTasks(tasks, load);
  });
  source.addEventListener('error', () => onState('reconnecting'));
  return () => source.close();
}

const changeListeners = new Set();

/** Subscribes a view to task changes (each SSE batch, and `null` after a reconnection); returns the unsubscribe. */
export function onTaskChanges(listener) {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

export function publishTaskChanges(tasks) {
  for (const listener of changeListeners) listener(tasks);
}
