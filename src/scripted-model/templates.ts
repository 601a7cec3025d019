import type { ScriptedRequest } from './types.ts';

/** Enough of a tool result to echo without flooding the transcript (a file read can be megabytes). */
const TOOL_RESULT_LIMIT = 2_000;

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

function variable(name: string, req: ScriptedRequest): string | undefined {
  switch (name) {
    case 'user':
      return req.lastUserText;
    case 'toolResult': {
      const output = req.toolResults.at(-1)?.output ?? '';
      return output.length > TOOL_RESULT_LIMIT ? `${output.slice(0, TOOL_RESULT_LIMIT)}…` : output;
    }
    case 'toolResults':
      return req.toolResults.map((result) => result.output).join('\n');
    case 'model':
      return req.model;
    case 'turn':
      return String(req.turn);
    case 'system':
      return req.system.split('\n', 1)[0] ?? '';
    default:
      return undefined;
  }
}

/**
 * Fills `{{user}}`, `{{toolResult}}` (the last one, ~2,000 chars), `{{toolResults}}` (all, joined),
 * `{{model}}`, `{{turn}}` and `{{system}}` (its first line). Unknown names are left as written, so a
 * typo shows up in the reply instead of vanishing.
 */
export function renderTemplate(text: string, req: ScriptedRequest): string {
  if (!text.includes('{{')) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) => variable(name, req) ?? whole);
}

/** Renders every string inside a JSON value (tool call inputs). */
export function renderValue(value: unknown, req: ScriptedRequest): unknown {
  if (typeof value === 'string') return renderTemplate(value, req);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, req));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, req)]));
  }
  return value;
}
