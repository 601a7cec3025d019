/**
 * The composition root: surfaces get engines only from here (see docs/architecture.md).
 */
export { createRuntime, type Runtime, type RuntimeOptions } from './create-runtime.ts';
export { getDefaultEngine, providerHealth, setDefaultEngine, Task } from './default-runtime.ts';
export { queueSettingsOf, type RuntimeQueue } from './queue-remote.ts';
export { startWorkerRuntime, type WorkerRuntime, type WorkerRuntimeOptions } from './worker-runtime.ts';
