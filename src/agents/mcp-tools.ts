import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectDirectories } from './discover.ts';
import { effectiveTools } from './effective-tools.ts';
import { DEFAULT_KNOWN_TOOLS, isMcpToolName } from './known-tools.ts';
import type { AgentDefinition, AgentProblem } from './types.ts';

/**
 * The MCP servers the project's `.mcp.json` defines — the nearest one from `cwd` up to the
 * repository root, as subagents' MCP clients look for it. Names only: nothing is started or trusted
 * here. An unreadable or invalid file defines none (the MCP client reports why when it runs).
 */
export function configuredMcpServers(cwd: string): string[] {
  for (const dir of projectDirectories(cwd)) {
    let text: string;
    try {
      text = readFileSync(join(dir, '.mcp.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return [];
    }
    try {
      const servers = (JSON.parse(text) as { mcpServers?: unknown } | null)?.mcpServers;
      return servers && typeof servers === 'object' && !Array.isArray(servers) ? Object.keys(servers) : [];
    } catch {
      return [];
    }
  }
  return [];
}

/**
 * Warnings for `tools:` entries naming MCP servers that are configured neither in `.mcp.json`
 * (`configured`) nor in the agent's own `mcpServers`: Claude Code loads such agents and gives them
 * none of those tools, and so do we — saying so, and when nothing is left, that the agent runs
 * with no tools at all.
 */
export function mcpToolProblems(
  def: AgentDefinition,
  configured: readonly string[],
  available: readonly string[] = DEFAULT_KNOWN_TOOLS.available,
): AgentProblem[] {
  const listed = def.tools;
  if (!def.file || listed === undefined || !listed.some(isMcpToolName)) return [];
  const servers = [...configured, ...ownServers(def.accepted.mcpServers ?? def.unknown.mcpServers)].map(
    (name) => `mcp__${name.replace(/[^A-Za-z0-9_-]/g, '_')}`,
  );
  const isConfigured = (entry: string) =>
    servers.some((server) => entry === server || entry.startsWith(`${server}__`));
  const missing = new Map<string, string[]>();
  for (const entry of listed) {
    if (!isMcpToolName(entry) || isConfigured(entry)) continue;
    const server = entry.slice('mcp__'.length).split('__')[0]!;
    missing.set(server, [...(missing.get(server) ?? []), entry]);
  }
  if (missing.size === 0) return [];
  const others = listed.filter((entry) => !isMcpToolName(entry));
  const configuredLeft = listed.some((entry) => isMcpToolName(entry) && isConfigured(entry));
  const noneLeft =
    !configuredLeft &&
    effectiveTools({ tools: others, disallowedTools: def.disallowedTools }, available).length === 0;
  return [...missing].map(([server, entries]) => ({
    severity: 'warning',
    file: def.file!,
    field: 'tools',
    message: `${entries.map((e) => `\`${e}\``).join(', ')}: MCP server \`${server}\`, which is not configured here (.mcp.json or this agent's \`mcpServers\`), so ${entries.length === 1 ? 'it is' : 'they are'} not granted${noneLeft ? ' and this agent runs with no tools' : ''}`,
    hint: `Define \`${server}\` in the project's .mcp.json or in this agent's \`mcpServers\`; until then the agent loads without those tools.`,
  }));
}

/** Server names in an agent's `mcpServers`: `[github]`, `[{ files: {…} }]`, or `{ files: {…} }`. */
function ownServers(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
  return items.flatMap((item: unknown) =>
    typeof item === 'string' ? [item] : item && typeof item === 'object' ? Object.keys(item) : [],
  );
}
