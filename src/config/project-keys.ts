import type { ConfigFile } from './config-schema.ts';

/**
 * What a project's `.codex-task/config.json` may set. A repository may tighten, never loosen; so
 * its keys fall in three groups:
 * - free: limits and choices that widen nothing (concurrency, timeouts, turns, depth, output size,
 *   the default model, failover chains, resilience, web tool limits, deny/ask rules, `sandbox.mode:
 *   "require"`, and the proxy's port, injection and keep-alive). `maxTasks` and `maxCostUsd` may
 *   only lower the user's; `permissions.defaultMode` may only be stricter than the user's (the
 *   permission policy enforces that), and `permissions.allow` narrows what is allowed but lifts a
 *   protection (a control file, a private host) only in a trusted workspace (also the policy's).
 * - trusted only (PROJECT_TRUSTED_KEYS): where requests and credentials go — `providers` (base
 *   URLs, kinds, tiers), `prices` (they decide what `maxCostUsd` counts) and the proxy's
 *   `upstream`, `allowedUpstreams` and `host`. Ignored, with one line saying so, until the user
 *   trusts the workspace.
 * - the user's alone (USER_ONLY_PROJECT_KEYS): an error naming the file, trusted or not — among
 *   them every `queue` key (where tasks are sent, and who runs them).
 */
export const PROJECT_TRUSTED_KEYS = [
  'providers',
  'prices',
  'proxy.upstream',
  'proxy.allowedUpstreams',
  'proxy.host',
] as const;

/** Keys a project config may never set (a repository must not widen protection or pick key variables). */
export const USER_ONLY_PROJECT_KEYS = [
  'permissions.allowBypassPermissions',
  'permissions.bashNetwork',
  'permissions.secretPaths',
  'permissions.secretExceptions',
  'permissions.claudeSettings',
  'providers.*.apiKeyEnv',
  // Where tasks run and who answers them: a repository's Redis would receive the prompts and play
  // the worker (its results become the subagents' answers), so no part of `queue` is a project's.
  'queue.*',
] as const;

/** Limits a project may lower but not raise. */
export const LOWER_ONLY_KEYS = ['maxTasks', 'maxCostUsd'] as const;

/** The trusted-only part of a project config (undefined when it has none) and the rest. */
export function splitTrustedKeys(values: ConfigFile): {
  gated: Partial<ConfigFile> | undefined;
  rest: ConfigFile;
} {
  const rest: ConfigFile = { ...values };
  const gated: Record<string, unknown> = {};
  if (values.providers) {
    gated.providers = values.providers;
    delete rest.providers;
  }
  if (values.prices) {
    gated.prices = values.prices;
    delete rest.prices;
  }
  if (values.proxy) {
    const { upstream, allowedUpstreams, host, ...proxyRest } = values.proxy;
    const proxyGated = { upstream, allowedUpstreams, host };
    if (Object.values(proxyGated).some((v) => v !== undefined)) {
      gated.proxy = Object.fromEntries(Object.entries(proxyGated).filter(([, v]) => v !== undefined));
      rest.proxy = proxyRest;
    }
  }
  return { gated: Object.keys(gated).length > 0 ? (gated as Partial<ConfigFile>) : undefined, rest };
}

/** `providers.local → http://10.0.0.5/v1`, `proxy.upstream → …`: what trusting the gated keys lets happen. */
export function describeTrustedKeys(gated: Partial<ConfigFile>): string[] {
  const out: string[] = [];
  for (const [id, p] of Object.entries(gated.providers ?? {}))
    out.push(`providers.${id}${p.baseURL ? ` → ${p.baseURL}` : ` (${p.kind})`}`);
  if (gated.prices) out.push(`prices for ${Object.keys(gated.prices).join(', ')}`);
  if (gated.proxy?.upstream) out.push(`proxy.upstream → ${gated.proxy.upstream}`);
  if (gated.proxy?.allowedUpstreams)
    out.push(`proxy.allowedUpstreams ${gated.proxy.allowedUpstreams.join(', ')}`);
  if (gated.proxy?.host) out.push(`proxy.host ${gated.proxy.host}`);
  return out;
}

/** The first user-only key a project config sets, as written (`permissions.bashNetwork`, `providers.x.apiKeyEnv`). */
export function userOnlyKeyIn(values: ConfigFile): string | undefined {
  for (const key of USER_ONLY_PROJECT_KEYS) {
    const [group, name, field] = key.split('.') as [string, string, string | undefined];
    if (
      group === 'permissions' &&
      values.permissions?.[name as keyof NonNullable<ConfigFile['permissions']>] !== undefined
    )
      return key;
    if (group === 'queue') {
      const set = Object.keys(values.queue ?? {}).find(
        (k) => (values.queue as Record<string, unknown>)[k] !== undefined,
      );
      if (set) return `queue.${set}`;
    }
    if (group === 'providers' && field)
      for (const [id, p] of Object.entries(values.providers ?? {}))
        if ((p as Record<string, unknown>)[field] !== undefined) return `providers.${id}.${field}`;
  }
  return undefined;
}
