export { Admission } from './admission.ts';
export { getDefaultEngine, setDefaultEngine, Task } from './default-engine.ts';
export { formatResultForModel } from './result-text.ts';
export { TaskEngine, type TaskEngineOptions } from './task-engine.ts';
export { parseTaskInput, taskInputSchema, taskToolInputSchema } from './task-input.ts';
export { taskToolDescription } from './task-tool-description.ts';
export type {
  TaskEventBase,
  TaskEvents,
  TaskInput,
  TaskOptions,
  TaskResult,
  TaskStatus,
  TaskTimings,
  TaskUsage,
  ToolStat,
} from './types.ts';
