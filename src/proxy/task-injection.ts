import { randomUUID } from 'node:crypto';
import type { TaskToolDefinition } from '../engine/index.ts';
import type { TaskCall } from './task-calls.ts';

type Json = Record<string, unknown>;

/** Codex's responses-lite shape puts its directly callable functions in this namespace. */
const LITE_NAMESPACE = 'functions';

/** The Task tool as a Responses function tool (same schema and description as the MCP server's). */
export function taskFunctionTool(definition: TaskToolDefinition): Json {
  return {
    type: 'function',
    name: definition.name,
    description: definition.description,
    strict: false,
    parameters: definition.inputSchema,
  };
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function additionalTools(body: Json): Json | undefined {
  if (!Array.isArray(body.input)) return undefined;
  return body.input.find((item): item is Json => isObject(item) && item.type === 'additional_tools');
}

function liteNamespace(item: Json): Json | undefined {
  if (!Array.isArray(item.tools)) return undefined;
  return item.tools.find(
    (t): t is Json => isObject(t) && t.type === 'namespace' && t.name === LITE_NAMESPACE,
  );
}

const named = (tools: unknown, name: string) =>
  Array.isArray(tools) && tools.some((t) => isObject(t) && t.name === name && t.type === 'function');

/** Whether the client already offers a top-level function of that name (then Task is its own, not ours). */
export function clientHasTool(body: Json, name: string): boolean {
  if (named(body.tools, name)) return true;
  const extra = additionalTools(body);
  if (!extra) return false;
  return named(extra.tools, name) || named(liteNamespace(extra)?.tools, name);
}

/**
 * Adds the tool where the request's shape expects functions: classic requests (a top-level `tools`
 * array, e.g. gpt-5.5) get it in `tools`; responses-lite requests (gpt-6*: no `tools`, an
 * `additional_tools` input item) get it in that item's `functions` namespace, beside Codex's `wait`.
 */
export function injectTool(body: Json, tool: unknown): void {
  const extra = additionalTools(body);
  if (extra && !Array.isArray(body.tools)) {
    const namespace = liteNamespace(extra);
    if (namespace && Array.isArray(namespace.tools)) namespace.tools.push(tool);
    else if (Array.isArray(extra.tools)) extra.tools.push(tool);
    else extra.tools = [tool];
    return;
  }
  if (Array.isArray(body.tools)) body.tools.push(tool);
  else body.tools = [tool];
}

/** A call of the injected tool (not a same-named tool in another namespace, such as an MCP server's). */
export function isInjectedCall(item: unknown, name: string): item is Json & { call_id: string } {
  return (
    isObject(item) &&
    item.type === 'function_call' &&
    item.name === name &&
    typeof item.call_id === 'string' &&
    (item.namespace === undefined || item.namespace === null || item.namespace === LITE_NAMESPACE)
  );
}

/** The call this item makes of one of the injected tools (`names`), as TaskCalls takes it; else undefined. */
export function injectedCall(item: unknown, names: readonly string[]): TaskCall | undefined {
  const tool = names.find((name) => isInjectedCall(item, name));
  if (!tool) return undefined;
  const call = item as Json & { call_id: string };
  return { callId: call.call_id, arguments: call.arguments, tool };
}

/**
 * Stands in a body for the tools until the body is serialised (`injectToolSlot`, `serializeBody`):
 * their JSON (Task's, then SendMessage's: array elements separated by a comma), a few kB of
 * description, is then spliced in as it was serialised once, instead of being serialised again on
 * every request. Random per process and never sent anywhere, so no client can put the same string
 * in a body.
 */
const TOOL_SLOT = `codex-task-tool-slot-${randomUUID()}`;
const QUOTED_SLOT = JSON.stringify(TOOL_SLOT);

/** `injectTool` with the placeholder that `serializeBody` replaces by the tool's JSON. */
export function injectToolSlot(body: Json): void {
  injectTool(body, TOOL_SLOT);
}

/** The body as JSON text, with the tool's JSON (`toolJson`) where `injectToolSlot` put the placeholder. */
export function serializeBody(body: Json, toolJson: string | undefined): string {
  const text = JSON.stringify(body);
  if (toolJson === undefined) return text;
  const at = text.indexOf(QUOTED_SLOT);
  if (at === -1)
    throw new Error('codex-task proxy: the Task tool placeholder is missing from the request body');
  return `${text.slice(0, at)}${toolJson}${text.slice(at + QUOTED_SLOT.length)}`;
}
