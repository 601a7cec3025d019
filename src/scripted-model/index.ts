/**
 * The scripted model server: a loopback server speaking the vendors' wire formats (Anthropic
 * Messages, OpenAI Responses and Chat Completions, Gemini), so tests, benchmarks and the offline
 * demo reach it through the real client libraries over real HTTP.
 */
export { loadScript, parseScript, ScriptError } from './script.ts';
export { scriptHandler } from './script-handler.ts';
export { type ScriptedModelOptions, type ScriptedModelServer, startScriptedModel } from './server.ts';
export { renderTemplate } from './templates.ts';
export type {
  Fault,
  NormalMessage,
  NormalToolCall,
  Script,
  ScriptedHandler,
  ScriptedModelStats,
  ScriptedReply,
  ScriptedRequest,
  ScriptedToolCall,
  ScriptedUsage,
  ScriptedWebSearch,
  ScriptFaults,
  ScriptPattern,
  ScriptRule,
  ScriptWhen,
  ToolResultInfo,
  WireFormatName,
} from './types.ts';
