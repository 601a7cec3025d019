export { Admission } from './admission.ts';
export type { Budgets } from './budgets.ts';
export { getDefaultEngine, providerHealth, setDefaultEngine, Task } from './default-engine.ts';
export { FAILOVER_ENV, type TaskEngineOptions } from './engine-options.ts';
export {
  guardOutput,
  type NeutralisedFinding,
  type NeutralisedKind,
  type OutputGuardReport,
} from './output-guard.ts';
export { formatResultForModel, type ResultForModel } from './result-text.ts';
export { TaskEngine } from './task-engine.ts';
export { parseTaskInput, taskInputSchema, taskToolInputSchema } from './task-input.ts';
export {
  parseTaskToolInput,
  type TaskToolDefinition,
  type TaskToolName,
  taskInputJsonSchema,
  taskToolDefinition,
} from './task-tool-definition.ts';
export { taskToolDescription } from './task-tool-description.ts';
export {
  createToolModelHooks,
  fastModel,
  type ToolModelHooksParams,
  type WebToolSettings,
} from './tool-model-hooks.ts';
export type {
  FailoverRecord,
  InheritedLimits,
  ModelUsage,
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
export type { UsageTotals } from './usage-totals.ts';
