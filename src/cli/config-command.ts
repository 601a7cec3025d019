import { ENGINE_DEFAULTS, maskKey, readCredentials } from '../config/index.ts';
import { trustChecker } from '../trust/index.ts';
import { EXIT } from './exit-codes.ts';
import { printError } from './output.ts';
import { settingsFor } from './settings.ts';

const SHOWN_DEFAULTS: Record<string, unknown> = {
  concurrency: ENGINE_DEFAULTS.concurrency,
  taskTimeout: ENGINE_DEFAULTS.taskTimeoutMs,
  maxTurns: ENGINE_DEFAULTS.maxTurns,
  maxSpawnDepth: ENGINE_DEFAULTS.maxSpawnDepth,
  model: ENGINE_DEFAULTS.callerModel,
};

/** `codex-task config`: the effective configuration and where each value came from. Keys are masked. */
export async function configCommand(opts: { json?: boolean; cwd?: string }): Promise<number> {
  let settings: ReturnType<typeof settingsFor>;
  try {
    settings = settingsFor(opts.cwd === undefined ? {} : { cwd: opts.cwd });
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  const { values, sources, files } = settings.config;
  const stored = readCredentials(settings.engine.homeDir);
  const entries: Record<string, { value: unknown; source: string }> = {};
  for (const [key, fallback] of Object.entries(SHOWN_DEFAULTS)) {
    const value = (values as Record<string, unknown>)[key];
    entries[key] =
      value === undefined
        ? { value: fallback, source: 'default' }
        : { value, source: sources[key] ?? 'default' };
  }
  for (const key of ['failover', 'prices', 'proxy', 'sandbox'] as const) {
    if (values[key]) entries[key] = { value: values[key], source: sourcesOf(sources, key) };
  }
  const providers = settings.engine.providers.map((p) => {
    const fromEnv = p.apiKeyEnv && settings.engine.env[p.apiKeyEnv] === p.apiKey;
    const keySource = !p.apiKey
      ? 'none'
      : fromEnv
        ? `env ${p.apiKeyEnv}`
        : stored[p.id] || Object.values(stored).some((c) => c.apiKey === p.apiKey)
          ? 'credentials file'
          : 'config';
    return {
      id: p.id,
      kind: p.kind,
      baseURL: p.baseURL ?? '(vendor default)',
      key: p.apiKey ? maskKey(p.apiKey) : null,
      keySource,
      ...(p.api ? { api: p.api } : {}),
    };
  });
  const trust = {
    workspace: settings.engine.cwd,
    optIn: trustChecker({ homeDir: settings.engine.homeDir, env: settings.engine.env }).optIn,
    skipped: settings.config.skipped.map((s) => s.notice),
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ files, settings: entries, providers, trust }, null, 2)}\n`);
    return EXIT.ok;
  }
  const lines = [
    `config files: ${files.length ? files.join(', ') : '(none: defaults and environment only)'}`,
  ];
  for (const [key, { value, source }] of Object.entries(entries))
    lines.push(`  ${key.padEnd(14)} ${JSON.stringify(value)}  ← ${source}`);
  lines.push('providers:');
  if (providers.length === 0)
    lines.push(
      '  (none: set ANTHROPIC_API_KEY, OPENAI_API_KEY or GEMINI_API_KEY, or run `codex-task login <provider>`)',
    );
  for (const p of providers)
    lines.push(
      `  ${p.id.padEnd(10)} ${p.kind.padEnd(17)} ${p.baseURL}  key ${p.key ?? 'none'} ← ${p.keySource}`,
    );
  if (trust.skipped.length > 0)
    lines.push('skipped (workspace not trusted):', ...trust.skipped.map((n) => `  ${n}`));
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

function sourcesOf(sources: Record<string, string>, key: string): string {
  const found = [
    ...new Set(
      Object.entries(sources)
        .filter(([k]) => k.startsWith(`${key}.`))
        .map(([, s]) => s),
    ),
  ];
  return found.join(', ') || 'default';
}
