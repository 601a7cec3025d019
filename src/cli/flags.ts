import { ConfigError, configSchemas, REDIS_URL_KINDS, REDIS_URL_PATTERN } from '../config/index.ts';
import { SANDBOX_MODES, type SandboxMode } from '../sandbox/index.ts';

/** `--timeout 90000 | 90s | 5m` → ms; a bad value names the flag and the accepted forms. */
export function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = configSchemas().durationMs.safeParse(/^\d+$/.test(value) ? Number(value) : value);
  if (!parsed.success)
    throw new ConfigError(
      `${flag} must be a positive duration, got '${value}'`,
      `Use milliseconds (${flag} 90000) or a unit (${flag} 90s, ${flag} 5m).`,
    );
  return parsed.data;
}

/** `--concurrency 5` → 5; a bad value names the flag. */
export function positiveIntFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`${flag} must be a positive whole number, got '${value}'`, `e.g. ${flag} 5`);
  return n;
}

/** `--port 8790` → 8790 (0 = any free port); a bad value names the flag. */
export function portFlag(flag: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65_535)
    throw new ConfigError(
      `${flag} must be a port number 0..65535, got '${value}'`,
      `e.g. ${flag} 8790 (0 picks any free port)`,
    );
  return port;
}

/** `--max-cost 2.5` → 2.5; a bad value names the flag. */
export function positiveNumberFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError(`${flag} must be a positive number, got '${value}'`, `e.g. ${flag} 2.5`);
  return n;
}

/** `--sandbox require` → `{ sandbox: { mode } }` config; a bad value names the flag and the modes. */
export function sandboxFlag(value: string | undefined): { sandbox?: { mode: SandboxMode } } {
  if (value === undefined) return {};
  const mode = SANDBOX_MODES.find((m) => m === value);
  if (!mode)
    throw new ConfigError(
      `--sandbox must be one of ${SANDBOX_MODES.join(', ')}, got '${value}'`,
      'auto: sandbox Bash where bubblewrap works; require: refuse Bash without it; off: never sandbox.',
    );
  return { sandbox: { mode } };
}

/**
 * `--redis redis://…` → `{ queue: { url } }` config, above CODEX_TASK_REDIS_URL and queue.url. The
 * value is not echoed in the error: it may hold a password.
 */
export function redisFlag(value: string | undefined): { queue?: { url: string } } {
  if (value === undefined) return {};
  if (!REDIS_URL_PATTERN.test(value.trim()))
    throw new ConfigError(
      `--redis must be ${REDIS_URL_KINDS}`,
      'e.g. --redis redis://127.0.0.1:6379, --redis rediss://:password@redis.internal:6380/0 or --redis redis+sentinel://s1:26379,s2:26379/mymaster',
    );
  return { queue: { url: value.trim() } };
}
