import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve, sep } from 'node:path';
import { AgentRegistry } from '../agents/index.ts';
import { configFiles, projectConfigTrustItem } from '../config/index.ts';
import { agentMcpTrustItem, findMcpJson, mcpJsonTrustItem } from '../mcp-client/index.ts';
import { projectAllowTrustItems } from '../tools/policy/index.ts';
import {
  KIND_LABEL,
  shownPath,
  type TrustChecker,
  type TrustItem,
  trustChecker,
  trustFilePath,
  writeTrustRecords,
} from '../trust/index.ts';
import { EXIT } from './exit-codes.ts';
import { note, usageError } from './output.ts';

/**
 * Every trust-gated item a task in `dir` would see: the nearest `.mcp.json`, the project agents'
 * inline `mcpServers`, the project config's trusted-only keys, and project allow rules.
 */
export function workspaceTrustItems(dir: string, homeDir = homedir()): TrustItem[] {
  const items: TrustItem[] = [];
  const mcpJson = findMcpJson(dir);
  const mcp = mcpJson ? mcpJsonTrustItem(mcpJson) : undefined;
  if (mcp) items.push(mcp);
  const userConfig = resolve(homeDir, '.codex-task', 'config.json');
  for (const file of configFiles(dir, homeDir)) {
    const item = file === userConfig ? undefined : projectConfigTrustItem(file);
    if (item) items.push(item);
  }
  try {
    for (const agent of new AgentRegistry({ cwd: dir, homeDir, rescanIntervalMs: 0 }).list()) {
      const item = agentMcpTrustItem(agent, dir);
      if (item) items.push(item);
    }
  } catch {
    // Agents given in code are the only ones that throw here, and there are none.
  }
  items.push(...projectAllowTrustItems(dir, homeDir));
  return items;
}

/** Each item with whether it is trusted now (for `doctor`, `config` and `trust --list`). */
export function trustState(dir: string, homeDir = homedir(), trust?: TrustChecker) {
  const checker = trust ?? trustChecker({ homeDir, env: process.env });
  return workspaceTrustItems(dir, homeDir).map((item) => ({ item, verdict: checker.verdict(item) }));
}

/**
 * `codex-task trust [dir]`: the user's act that lets a workspace's repository-provided programs,
 * provider URLs and protection-lifting rules take effect — shown first, recorded with the digest of
 * each item's content, so a later change asks again. `--revoke` forgets; `--list` only shows.
 */
export async function trustCommand(
  dirArg: string | undefined,
  opts: { revoke?: boolean; list?: boolean; json?: boolean },
): Promise<number> {
  const dir = resolve(dirArg ?? process.cwd());
  if (!existsSync(dir)) {
    usageError(
      `${dir} does not exist`,
      'Give the directory of the workspace to trust (default: the current one).',
    );
    return EXIT.usage;
  }
  const home = homedir();
  const state = trustState(dir, home, trustChecker({ homeDir: home }));
  if (opts.list) {
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ dir, trustFile: trustFilePath(home), items: state }, null, 2)}\n`,
      );
      return EXIT.ok;
    }
    if (state.length === 0) process.stdout.write(`${dir}: nothing here needs trust\n`);
    for (const { item, verdict } of state) {
      process.stdout.write(
        `${verdict.trusted ? 'trusted  ' : verdict.reason === 'changed' ? 'changed  ' : 'untrusted'} ${show(item, dir)}\n`,
      );
      const changed = !verdict.trusted && verdict.reason === 'changed' ? verdict.files : undefined;
      if (changed)
        process.stdout.write(
          `          changed since trusted: ${changed.map((f) => shownPath(f, dir)).join(', ')}\n`,
        );
    }
    return EXIT.ok;
  }
  if (opts.revoke) {
    const under = (file: string) => file === dir || file.startsWith(dir.endsWith(sep) ? dir : dir + sep);
    let removed = 0;
    writeTrustRecords(home, (records) =>
      records.filter((r) => {
        const drop = under(r.file) || state.some(({ item }) => item.file === r.file);
        if (drop) removed++;
        return !drop;
      }),
    );
    if (opts.json) process.stdout.write(`${JSON.stringify({ dir, revoked: removed })}\n`);
    else process.stdout.write(`${dir}: trust revoked (${removed} item${removed === 1 ? '' : 's'})\n`);
    return EXIT.ok;
  }
  const items = state.map((s) => s.item);
  const at = new Date().toISOString();
  writeTrustRecords(home, (records) => [
    ...records.filter((r) => !items.some((i) => i.kind === r.kind && i.file === r.file)),
    ...items.map((i) => ({
      kind: i.kind,
      file: i.file,
      digest: i.digest,
      ...(i.runs ? { runs: i.runs } : {}),
      trustedAt: at,
    })),
  ]);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ dir, trusted: items }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (items.length === 0) {
    process.stdout.write(
      `${dir}: nothing here needs trust (no .mcp.json, agent MCP servers, provider URLs or allow rules)\n`,
    );
    return EXIT.ok;
  }
  process.stdout.write(`Trusted ${dir} as it is now:\n`);
  for (const item of items) {
    process.stdout.write(`  ${show(item, dir)}\n`);
    const files = runFiles(item);
    if (files.length > 0)
      process.stdout.write(
        `    and the workspace files they run, as they are now: ${files.map((f) => shownPath(f, dir)).join(', ')}\n`,
      );
  }
  note(`A later change to any of these asks again. Undo with: codex-task trust --revoke ${dirArg ?? '.'}`);
  return EXIT.ok;
}

function show(item: TrustItem, dir: string): string {
  return `${KIND_LABEL[item.kind]} from ${shownPath(item.file, dir)}${item.summary.length ? `: ${item.summary.join('; ')}` : ''}`;
}

/** The files (not directories) the item's servers run from the workspace. */
function runFiles(item: TrustItem): string[] {
  const all = Object.values(item.runs ?? {}).flatMap((files) =>
    Object.entries(files).filter(([, digest]) => !digest.startsWith('dir:')),
  );
  return [...new Set(all.map(([path]) => path))];
}
