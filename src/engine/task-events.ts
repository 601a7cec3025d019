import type { EventEmitter } from 'node:events';
import type { TaskEvents } from './types.ts';

/** Where one task's events go: the engine's emitter and the task's own handle (see TaskHandle.events). */
export interface TaskEventSink {
  emit<K extends keyof TaskEvents>(name: K, ...args: TaskEvents[K]): void;
}

/** Emits each event to every emitter given, in order (the engine's first, so observers record before a handle's listener reacts). */
export function fanOutSink(...targets: EventEmitter<TaskEvents>[]): TaskEventSink {
  return {
    emit: (name, ...args) => {
      for (const target of targets)
        (target.emit as (n: typeof name, ...a: typeof args) => boolean)(name, ...args);
    },
  };
}
