import { shownWord } from './shown-word.ts';

/**
 * A server entry (`.mcp.json`'s or an agent's inline `mcpServers`) as `codex-task trust`, the skip
 * notices and `doctor` show it: everything that decides what runs and with what, written as
 * it stands in the file — `${VARS}` unexpanded, so a secret is never printed, and a reference to
 * one (`LEAK=${OPENAI_API_KEY}`) is seen. A stdio entry reads as the shell line it amounts to
 * (`cd dir && NAME=value command args…`); a remote one as its transport, URL and headers.
 */
export function describeServerEntry(raw: unknown): string {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const type = str(r.type) ?? (str(r.command) ? 'stdio' : str(r.url) ? 'http' : undefined);
  if (type === 'stdio' && str(r.command)) {
    const words = [r.command, ...(Array.isArray(r.args) ? r.args : [])].map((w) => shownWord(String(w)));
    const env = pairs(r.env).map(([k, v]) => `${shownWord(k)}=${shownWord(v)}`);
    const cwd = str(r.cwd) !== undefined ? [`cd ${shownWord(String(r.cwd))} &&`] : [];
    return [...cwd, ...env, ...words].join(' ');
  }
  if (type && str(r.url)) {
    const headers = pairs(r.headers).map(([k, v]) => `-H ${shownWord(`${k}: ${v}`)}`);
    return [type === 'sse' ? 'sse' : 'http', shownWord(String(r.url)), ...headers].join(' ');
  }
  return 'server (not usable as written)';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function pairs(value: unknown): [string, string][] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
}
