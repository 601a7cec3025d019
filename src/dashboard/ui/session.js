// The dashboard's session: a secret kept in this origin's localStorage — port included, so a page
// on another port of this host cannot read it — and sent in a header with every API request. The
// browser never sends it by itself (a cookie would go to every port of the host).

const KEY = 'codex-task-session';
export const SESSION_HEADER = 'x-codex-task-session';

const HOW = {
  message: 'This page needs a dashboard session',
  hint: 'Run `codex-task ui` in a terminal (add --url for another server): it asks this server for a one-time login link and opens it. `codex-task serve` also prints one when it starts.',
};

export function sessionHeaders() {
  const secret = stored();
  return secret ? { [SESSION_HEADER]: secret } : {};
}

export const hasSession = () => stored() !== undefined;

export function forgetSession() {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Storage switched off: there is nothing to forget.
  }
}

/** What the page says when it has no session, or the server refused it: how to get a new link. */
export function loginNeeded(error) {
  return { status: 401, message: error?.message ?? HOW.message, hint: error?.hint ?? HOW.hint };
}

/**
 * On /ui/login?code=…: the code leaves the address bar first, then is traded for a session
 * (POST /ui/session, from this origin). Resolves to undefined when logged in (or not a login),
 * else to what to show instead.
 */
export async function logIn() {
  if (location.pathname !== '/ui/login') return undefined;
  const code = new URLSearchParams(location.search).get('code') ?? '';
  history.replaceState(null, '', `/ui/${location.hash}`);
  let res;
  try {
    res = await fetch('/ui/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code }),
    });
  } catch (error) {
    return loginNeeded({ message: `The server did not answer (${error.message})` });
  }
  const body = await res.json().catch(() => undefined);
  if (!res.ok || typeof body?.session !== 'string') return loginNeeded(body?.error);
  try {
    localStorage.setItem(KEY, body.session);
  } catch {
    return loginNeeded({
      message: 'This browser keeps no local storage for this page, where the session lives',
    });
  }
  return undefined;
}

function stored() {
  try {
    return localStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
