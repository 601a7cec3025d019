import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describeRange, satisfies, upgradeHints } from '../../bin/node-check.js';
import { AgentRegistry, registryReport, summarizeReport } from '../agents/index.ts';
import { credentialsPermissionProblem, maskKey, PROXY_DEFAULTS } from '../config/index.ts';
import type { ProviderConfig } from '../providers/index.ts';
import { queueSettingsOf } from '../runtime/index.ts';
import { findTrustedBinary } from '../sandbox/index.ts';
import { loadPermissionPolicy } from '../tools/policy/index.ts';
import { KIND_LABEL } from '../trust/index.ts';
import { queueChecks } from './doctor-queue.ts';
import { sandboxCheck } from './doctor-sandbox.ts';
import { EXIT } from './exit-codes.ts';
import { paint } from './output.ts';
import { settingsFor } from './settings.ts';
import { trustState } from './trust-command.ts';

interface Check {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
  /** Structured state behind the line, for --json (the sandbox check's). */
  sandbox?: Record<string, unknown>;
}

const DEFAULT_BASE: Record<ProviderConfig['kind'], string> = {
  anthropic: 'https://api.anthropic.com/v1',
  openai: 'https://api.openai.com/v1',
  google: 'https://generativelanguage.googleapis.com/v1beta',
  'openai-compatible': '',
};

/** Asks a provider's model list: any answer but 401/403 means reachable with an accepted key. */
async function probeProvider(p: ProviderConfig): Promise<Check> {
  const base = (p.baseURL ?? DEFAULT_BASE[p.kind]).replace(/\/$/, '');
  const headers: Record<string, string> = {};
  if (p.apiKey && p.kind === 'anthropic')
    Object.assign(headers, { 'x-api-key': p.apiKey, 'anthropic-version': '2023-06-01' });
  else if (p.apiKey && p.kind === 'google') headers['x-goog-api-key'] = p.apiKey;
  else if (p.apiKey) headers.authorization = `Bearer ${p.apiKey}`;
  const name = `provider ${p.id}`;
  try {
    const response = await fetch(`${base}/models`, { headers, signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403) {
      return {
        check: name,
        status: 'fail',
        detail: `${base} rejected the key (${response.status})`,
        fix: `Check ${p.apiKeyEnv ?? 'the key'} (or run \`codex-task login ${p.id}\`).`,
      };
    }
    return {
      check: name,
      status: 'ok',
      detail: `${base} answers (HTTP ${response.status}); key ${p.apiKey ? maskKey(p.apiKey) : 'none'}`,
    };
  } catch (error) {
    return {
      check: name,
      status: 'fail',
      detail: `cannot reach ${base}: ${(error as Error).message}`,
      fix: 'Check the base URL and your network (or proxy settings).',
    };
  }
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** How many permission rules are in force here, from which files; a rule that cannot be used fails. */
function permissionsCheck(settings: ReturnType<typeof settingsFor> | undefined, cwd: string): Check {
  try {
    const policy = loadPermissionPolicy({
      cwd,
      ...(settings ? { homeDir: settings.engine.homeDir } : {}),
      ...(settings?.engine.permissions ? { config: settings.engine.permissions } : {}),
      ...(settings?.engine.permissionRuleSources
        ? { ruleSources: settings.engine.permissionRuleSources }
        : {}),
    });
    const total = policy.rules.length;
    const from = policy.sources.map((s) => `${s.file} (${s.rules})`).join(', ');
    const detail = `${total} rule(s)${from ? ` from ${from}` : ''}; ${policy.secretPatterns.length} secret path pattern(s); mode ${policy.defaultMode ?? 'default'}${policy.config.allowBypassPermissions ? ', bypassPermissions allowed' : ''}`;
    if (policy.warnings.length > 0) {
      return {
        check: 'permissions',
        status: 'warn',
        detail: `${detail}; ${policy.warnings[0]}`,
        fix: 'Fix the rule(s) named above in the settings file.',
      };
    }
    return { check: 'permissions', status: 'ok', detail };
  } catch (error) {
    return {
      check: 'permissions',
      status: 'fail',
      detail: (error as Error).message,
      fix: (error as { hint?: string }).hint ?? 'Fix the permission rules.',
    };
  }
}

/** Whether what listens there is a codex-task proxy (its /health answers). */
/** What of this workspace needs trust, whether it has it, and what is skipped until then. */
function trustCheck(cwd: string, homeDir: string | undefined): Check {
  const state = trustState(cwd, homeDir);
  const skipped = state.filter((s) => !s.verdict.trusted);
  if (state.length === 0)
    return { check: 'workspace trust', status: 'ok', detail: 'nothing here needs trust' };
  if (skipped.length === 0)
    return {
      check: 'workspace trust',
      status: 'ok',
      detail: `trusted: ${state.map((s) => `${KIND_LABEL[s.item.kind]} from ${s.item.file}`).join('; ')}`,
    };
  return {
    check: 'workspace trust',
    status: 'warn',
    detail: `skipped until trusted: ${skipped
      .map(
        (s) =>
          `${KIND_LABEL[s.item.kind]} from ${s.item.file}${!s.verdict.trusted && s.verdict.reason === 'changed' ? ' (changed since trusted)' : ''}`,
      )
      .join('; ')}`,
    fix: `Review them (\`codex-task trust --list\`), then run \`codex-task trust ${cwd}\`.`,
  };
}

async function proxyAnswers(port: number, host: string): Promise<boolean> {
  try {
    const shown = host.includes(':') ? `[${host}]` : host;
    const res = await fetch(`http://${shown}:${port}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok && ((await res.json()) as { status?: string }).status === 'ok';
  } catch {
    return false;
  }
}

/**
 * Whether this Node satisfies package.json's `engines.node`, read by the same code as the bin's own
 * check (bin/node-check.js); the fix works wherever codex-task is installed, not only in a clone.
 */
export function nodeCheck(version: string, execPath: string): Check {
  const detail = `Node ${version} (${execPath})`;
  if (satisfies(version)) return { check: 'node', status: 'ok', detail };
  return {
    check: 'node',
    status: 'fail',
    detail: `${detail} is too old: codex-task needs Node.js ${describeRange()}`,
    fix: upgradeHints().join('; '),
  };
}

/** `codex-task doctor`: each check with its result, and for each failing one, the fix. */
export async function doctorCommand(opts: { json?: boolean; cwd?: string; redis?: string }): Promise<number> {
  const checks: Check[] = [nodeCheck(process.versions.node, process.execPath)];
  const cwd = resolve(opts.cwd ?? process.cwd());
  let settings: ReturnType<typeof settingsFor> | undefined;
  try {
    settings = settingsFor({ cwd, ...(opts.redis ? { config: { queue: { url: opts.redis } } } : {}) });
    checks.push({
      check: 'config',
      status: 'ok',
      detail: settings.config.files.length
        ? settings.config.files.join(', ')
        : 'defaults and environment only',
    });
  } catch (error) {
    checks.push({
      check: 'config',
      status: 'fail',
      detail: (error as Error).message,
      fix: (error as { hint?: string }).hint ?? 'Fix the config file.',
    });
  }
  const loose = credentialsPermissionProblem(settings?.engine.homeDir);
  if (loose)
    checks.push({
      check: 'credentials',
      status: 'warn',
      detail: loose,
      fix: loose.slice(loose.indexOf('Run: ') + 5),
    });
  const providers = settings?.engine.providers ?? [];
  if (providers.length === 0) {
    checks.push({
      check: 'providers',
      status: 'fail',
      detail: 'no model provider is configured',
      fix: 'Set ANTHROPIC_API_KEY, OPENAI_API_KEY or GEMINI_API_KEY, or run `codex-task login <provider>`.',
    });
  }
  checks.push(...(await Promise.all(providers.map(probeProvider))));
  // Counted exactly as `agents validate` counts (one report, one summary line).
  const agentReport = registryReport(new AgentRegistry({ cwd, rescanIntervalMs: 0 }));
  const firstError = agentReport.errors[0];
  checks.push(
    firstError === undefined
      ? { check: 'agents', status: 'ok', detail: summarizeReport(agentReport) }
      : {
          check: 'agents',
          status: 'fail',
          detail: `${summarizeReport(agentReport)}, e.g. ${firstError.file}: ${firstError.message}`,
          fix: 'Run `codex-task agents validate` for every problem and its fix.',
        },
  );
  checks.push(permissionsCheck(settings, cwd));
  checks.push(trustCheck(settings?.engine.cwd ?? cwd, settings?.engine.homeDir));
  // The rg Grep would run (never one from node_modules/.bin or the project, first on PATH under npx).
  const rgPath = findTrustedBinary('rg', { untrusted: [cwd] });
  const rg = rgPath ? spawnSync(rgPath, ['--version'], { encoding: 'utf8', timeout: 5_000 }) : undefined;
  checks.push(
    rg?.status === 0
      ? { check: 'ripgrep', status: 'ok', detail: `${rg.stdout.split('\n')[0]!} (${rgPath})` }
      : {
          check: 'ripgrep',
          status: 'warn',
          detail:
            'rg not found (in the system directories, or on PATH outside node_modules and the project): Grep uses its slower JavaScript search',
          fix: 'Install ripgrep (apt-get install ripgrep, brew install ripgrep).',
        },
  );
  checks.push(sandboxCheck(settings?.config.values.sandbox?.mode));
  const proxyConfig = settings?.config.values.proxy;
  const port = proxyConfig?.port ?? PROXY_DEFAULTS.port;
  const host = proxyConfig?.host ?? PROXY_DEFAULTS.host;
  checks.push(
    (await portFree(port, host))
      ? { check: 'proxy port', status: 'ok', detail: `${host}:${port} is free for \`codex-task proxy\`` }
      : (await proxyAnswers(port, host))
        ? {
            check: 'proxy port',
            status: 'ok',
            detail: `a codex-task proxy already answers on ${host}:${port}`,
          }
        : {
            check: 'proxy port',
            status: 'warn',
            detail: `${host}:${port} is in use by something else`,
            fix: "Stop what uses it, or set proxy.port in .codex-task/config.json (or CODEX_TASK_PROXY_PORT, or --port) and the same port in Codex's base_url.",
          },
  );
  // Only when a queue is configured: without one nothing needs Redis.
  const queueUrl = opts.redis ?? (settings && queueSettingsOf(settings.engine)?.url);
  if (queueUrl) checks.push(...(await queueChecks(queueUrl)));
  if (opts.json) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
  else {
    for (const c of checks) {
      const mark =
        c.status === 'ok'
          ? paint('green', 'ok  ', process.stdout)
          : c.status === 'warn'
            ? paint('yellow', 'warn', process.stdout)
            : paint('red', 'FAIL', process.stdout);
      process.stdout.write(
        `${mark} ${c.check.padEnd(18)} ${c.detail}${c.fix ? `\n     fix: ${c.fix}` : ''}\n`,
      );
    }
  }
  return checks.some((c) => c.status === 'fail') ? EXIT.failed : EXIT.ok;
}
