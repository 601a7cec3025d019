export { type AcquireOptions, Admission, type AdmissionOptions } from './admission.ts';
export {
  type BudgetLedger,
  type BudgetSpent,
  type Budgets,
  checkCost,
  checkNewTask,
  LocalBudget,
} from './budgets.ts';
export {
  FAILOVER_ENV,
  type ResolvedEngineSettings,
  resolveEngineSettings,
  type TaskEngineOptions,
} from './engine-options.ts';
export {
  guardOutput,
  type NeutralisedFinding,
  type NeutralisedKind,
  type OutputGuardReport,
} from './output-guard.ts';
export type { RemoteExecutor, RemoteOutcome, RemoteTaskRequest } from './remote-task.ts';
export {
  formatLaunchForModel,
  formatResultForModel,
  formatTaskNotification,
  type ResultForModel,
} from './result-text.ts';
export {
  parseSendMessageInput,
  SEND_MESSAGE_TOOL,
  type SendMessageInput,
  sendMessageInputSchema,
} from './send-message-input.ts';
export {
  GRANTABLE_TOOLS,
  planSubagent,
  planTask,
  type SubagentPlan,
  type TaskPlan,
} from './subagent-plan.ts';
export { TaskEngine } from './task-engine.ts';
export { describeInputIssues, parseTaskInput, taskInputSchema, taskToolInputSchema } from './task-input.ts';
export {
  isTaskPriority,
  PRIORITY_AGING_MS,
  PRIORITY_HINT,
  priorityProblem,
  TASK_PRIORITY,
  taskPrioritySchema,
} from './task-priority.ts';
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
  TaskCaller,
  TaskEventBase,
  TaskEvents,
  TaskHandle,
  TaskInput,
  TaskOptions,
  TaskOrigin,
  TaskQueueRun,
  TaskResult,
  TaskStatus,
  TaskTimings,
  TaskUsage,
  TaskWorkspace,
  TaskWorktree,
  ToolStat,
  Transcript,
  TranscriptStore,
} from './types.ts';
export type { UsageTotals } from './usage-totals.ts';
