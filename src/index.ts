/**
 * codex-task as a library: Claude Code's Task tool as a function call, and the engine behind it.
 *
 *   import { Task } from 'codex-task';
 *   const result = await Task({ subagent_type: 'code-reviewer', description: 'Review auth', prompt: '…' });
 */
export {
  type AgentDefinition,
  type AgentInput,
  type AgentProblem,
  AgentRegistry,
  formatAgentList,
  type ValidationReport,
  validateAgentPaths,
} from './agents/index.ts';
export {
  formatResultForModel,
  type TaskCaller,
  TaskEngine,
  type TaskEngineOptions,
  type TaskEvents,
  type TaskHandle,
  type TaskInput,
  type TaskOptions,
  type TaskResult,
  type TaskStatus,
  type TaskUsage,
  type TaskWorktree,
} from './engine/index.ts';
export * from './errors/index.ts';
export { type ProviderConfig, providersFromEnv } from './providers/index.ts';
export {
  createRuntime,
  getDefaultEngine,
  type Runtime,
  type RuntimeOptions,
  setDefaultEngine,
  Task,
} from './runtime/index.ts';
export {
  type Script,
  type ScriptedModelServer,
  type ScriptedReply,
  type ScriptedRequest,
  startScriptedModel,
} from './scripted-model/index.ts';
