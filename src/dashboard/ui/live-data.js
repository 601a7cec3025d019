import { useEffect, useRef, useState } from '/ui/assets/vendor/htm-preact.mjs';
import { onTaskChanges } from './api.js';

/**
 * `[data, error]` of `load()`, loaded again when tasks change — at most once per `delayMs` while a
 * fan-out runs, and only for changes `concerns(changedTasks, data)` accepts (all by default).
 * Nothing is polled: a reload follows an event. `keys` are the effect's dependencies.
 */
export function useLiveData(load, keys, { delayMs, concerns = () => true }) {
  const [data, setData] = useState(undefined);
  const [error, setError] = useState(undefined);
  const latest = useRef(undefined);
  useEffect(() => {
    let current = true;
    let pending;
    const reload = () =>
      load().then(
        (value) => {
          if (!current) return;
          latest.current = value;
          setData(value);
          setError(undefined);
        },
        (e) => current && setError(e),
      );
    reload();
    const off = onTaskChanges((changed) => {
      // `null`: the event stream reconnected, and what changed meanwhile is unknown.
      if (pending || (changed !== null && !concerns(changed, latest.current))) return;
      pending = setTimeout(() => {
        pending = undefined;
        reload();
      }, delayMs);
    });
    return () => {
      current = false;
      clearTimeout(pending);
      off();
    };
  }, keys);
  return [data, error];
}
