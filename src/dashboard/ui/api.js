// The dashboard's API client: JSON under /ui/api, errors as { type, message, hint }. Every request
// carries the session secret in its header; a 401 means the session is gone (logged out, expired,
// the server restarted), and the page says how to get a new link.
import { createParser } from '/ui/assets/vendor/eventsource-parser.mjs';
import { forgetSession, sessionHeaders } from './session.js';

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.type = error?.type ?? 'Error';
    this.hint = error?.hint;
  }
}

const refusedListeners = new Set();

/** Calls `listener(error)` when the server refuses the session; returns the unsubscribe. */
export function onSessionRefused(listener) {
  refusedListeners.add(listener);
  return () => refusedListeners.delete(listener);
}

function refused(error) {
  forgetSession();
  for (const listener of refusedListeners) listener(error);
}

async function answer(res) {
  const body = await res.json().catch(() => undefined);
  if (!res.ok) {
    const error = new ApiError(res.status, body?.error);
    if (res.status === 401) refused(error);
    throw error;
  }
  return body;
}

export async function getJson(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
  const suffix = query.size ? `?${query}` : '';
  return answer(
    await fetch(`/ui/api/${path}${suffix}`, { headers: { accept: 'application/json', ...sessionHeaders() } }),
  );
}

export async function postJson(path, body = {}) {
  return answer(
    await fetch(`/ui/api/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...sessionHeaders() },
      body: JSON.stringify(body),
    }),
  );
}

/**
 * Follows /ui/api/events: `onTasks(tasks, load)` for every batch of changed tasks, `onState(state)`
 * with 'live' or 'reconnecting'. Read with fetch (EventSource cannot send the session header) and
 * eventsource-parser; after a gap it reconnects, backing off, and the page reloads what it shows
 * (`onState('live')` again), since changes made meanwhile were not sent. A 401 stops it.
 */
export function followEvents({ onTasks, onState }) {
  const stop = new AbortController();
  const parser = createParser({
    onEvent: (e) => {
      if (e.event === 'hello') onState('live', JSON.parse(e.data));
      else if (e.event === 'tasks') {
        const { tasks, load } = JSON.parse(e.data);
        onTasks(tasks, load);
      }
    },
  });
  (async () => {
    let waitMs = 500;
    while (!stop.signal.aborted) {
      try {
        const res = await fetch('/ui/api/events', {
          headers: { accept: 'text/event-stream', ...sessionHeaders() },
          signal: stop.signal,
        });
        if (res.status === 401) return void (await answer(res).catch(() => {}));
        if (!res.ok || !res.body) throw new ApiError(res.status);
        waitMs = 500;
        parser.reset();
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(value);
        }
      } catch {
        // Cut, refused or unreachable: try again below, unless the page stopped following.
      }
      if (stop.signal.aborted) return;
      onState('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      waitMs = Math.min(waitMs * 2, 15_000);
    }
  })();
  return () => stop.abort();
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
