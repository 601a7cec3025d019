// The address says which view is open and which task is selected, so a link or a reload keeps them.

export const TABS = [
  ['tasks', 'Tasks'],
  ['plots', 'Plots'],
  ['providers', 'Providers'],
  ['queue', 'Queue'],
];

/** `#/tasks/<id>`, `#/plots`… */
export function parseHash() {
  const [, view = 'tasks', id] = location.hash.split('/');
  return {
    view: TABS.some(([key]) => key === view) ? view : 'tasks',
    id: id ? decodeURIComponent(id) : undefined,
  };
}

export function navigate(view, id) {
  location.hash = id ? `#/${view}/${encodeURIComponent(id)}` : `#/${view}`;
}
