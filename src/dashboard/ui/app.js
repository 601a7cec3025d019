import { html, render, useEffect, useState } from '/ui/assets/vendor/htm-preact.mjs';
import { followEvents, getJson, publishTaskChanges } from './api.js';
import { HealthView, QueueView } from './health.js';
import { PlotsView } from './plots.js';
import { parseHash, TABS } from './route.js';
import { TasksView } from './task-list.js';

function App() {
  const [route, setRoute] = useState(parseHash);
  const [connection, setConnection] = useState('connecting');
  const [load, setLoad] = useState(undefined);
  const [meta, setMeta] = useState({ agents: [], models: [], store: true, queue: false });
  const [fatal, setFatal] = useState(undefined);

  useEffect(() => {
    const onHash = () => setRoute(parseHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    getJson('meta').then(setMeta, setFatal);
    let wasLive = false;
    return followEvents({
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
  }, []);

  if (fatal?.status === 401) {
    return html`<main class="login"><h1>codex-task</h1><p>${fatal.message}.</p><p>${fatal.hint}</p></main>`;
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

const root = document.getElementById('app');
root.textContent = ''; // the "Loading…" line: render() adds to what is there
render(html`<${App} />`, root);
