import { html, render, useEffect, useState } from '/ui/assets/vendor/htm-preact.mjs';
import { followEvents, getJson, onSessionRefused, publishTaskChanges } from './api.js';
import { HealthView, QueueView } from './health.js';
import { PlotsView } from './plots.js';
import { parseHash, TABS } from './route.js';
import { hasSession, logIn, loginNeeded } from './session.js';
import { TasksView } from './task-list.js';

function App({ refused }) {
  const [route, setRoute] = useState(parseHash);
  const [connection, setConnection] = useState('connecting');
  const [load, setLoad] = useState(undefined);
  const [meta, setMeta] = useState({ agents: [], models: [], store: true, queue: false });
  const [fatal, setFatal] = useState(refused ?? (hasSession() ? undefined : loginNeeded()));

  useEffect(() => {
    const onHash = () => setRoute(parseHash());
    addEventListener('hashchange', onHash);
    // A change between the first render and this effect fired no listener of ours.
    onHash();
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (fatal?.status === 401) return undefined;
    const off = onSessionRefused(setFatal);
    getJson('meta').then(setMeta, setFatal);
    let wasLive = false;
    const stop = followEvents({
      onState: (state, hello) => {
        setConnection(state);
        if (hello) setLoad(hello.load);
        // After a gap, changes made meanwhile were not sent: views reload what they show.
        if (state === 'live' && wasLive) publishTaskChanges(null);
        if (state === 'live') wasLive = true;
      },
      onTasks: (tasks, newLoad) => {
        setLoad(newLoad);
        publishTaskChanges(tasks);
      },
    });
    return () => {
      off();
      stop();
    };
  }, [fatal?.status === 401]);

  if (fatal?.status === 401) {
    return html`<main class="login" data-login="needed"><h1>codex-task</h1><p>${fatal.message}.</p><p>${fatal.hint}</p></main>`;
  }
  const tabs = TABS.filter(([key]) => key !== 'queue' || meta.queue);
  return html`
    <header class="top">
      <h1><span class="logo" aria-hidden="true"></span>codex-task</h1>
      <nav class="tabs" aria-label="Views">
        ${tabs.map(
          ([key, label]) =>
            html`<a href=${`#/${key}`} class=${route.view === key ? 'tab active' : 'tab'} aria-current=${route.view === key ? 'page' : undefined}>${label}</a>`,
        )}
      </nav>
      <div class="status-line">
        ${load && html`<span class="load" title="Tasks running, waiting for a slot, and the concurrency limit">${load.active} running · ${load.queued} waiting · limit ${load.limit}</span>`}
        <span class=${`connection ${connection}`} data-connection=${connection}>${connection === 'live' ? 'live' : connection}</span>
      </div>
    </header>
    ${fatal && fatal.status !== 401 && html`<p class="banner error">${fatal.message}</p>`}
    <main class=${`view view-${route.view}`}>
      ${route.view === 'tasks' && html`<${TasksView} selected=${route.id} meta=${meta} />`}
      ${route.view === 'plots' && html`<${PlotsView} />`}
      ${route.view === 'providers' && html`<${HealthView} />`}
      ${route.view === 'queue' && html`<${QueueView} />`}
    </main>
  `;
}

// A login link first trades its code for the session, then the app starts at /ui/.
const refused = await logIn();
const root = document.getElementById('app');
root.textContent = ''; // the "Loading…" line: render() adds to what is there
render(html`<${App} refused=${refused} />`, root);
