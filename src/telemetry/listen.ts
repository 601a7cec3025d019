import type { TaskEngine, TaskEvents } from '../engine/index.ts';

export type TaskEventHandlers = { [K in keyof TaskEvents]?: (...args: TaskEvents[K]) => void };

/**
 * Subscribes handlers to an engine's events; the returned function unsubscribes them all. The
 * emitter calls listeners inside the engine's own code, so a throwing listener would fail the task:
 * with `onError`, a handler's exception (a full disk, a closed file) is reported there instead.
 */
export function listen(
  engine: TaskEngine,
  handlers: TaskEventHandlers,
  onError?: (error: unknown, event: keyof TaskEvents) => void,
): () => void {
  const events = engine.events as unknown as NodeJS.EventEmitter;
  const entries = (Object.entries(handlers) as [keyof TaskEvents, (...args: unknown[]) => void][]).map(
    ([name, handler]): [keyof TaskEvents, (...args: unknown[]) => void] => [
      name,
      onError
        ? (...args) => {
            try {
              handler(...args);
            } catch (error) {
              onError(error, name);
            }
          }
        : handler,
    ],
  );
  for (const [name, handler] of entries) events.on(name, handler);
  return () => {
    for (const [name, handler] of entries) events.off(name, handler);
  };
}
