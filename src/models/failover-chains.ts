import { ModelConfigError } from '../errors/index.ts';
import type { ProviderConfig } from '../providers/index.ts';
import { type ResolvedModel, resolveSpec } from '../providers/index.ts';

/** One model a task may be served by: the resolved one first, then its chain's alternatives. */
export interface Candidate {
  provider: ProviderConfig;
  modelId: string;
  /** `provider:model` */
  spec: string;
}

/** Model alias or id (or `provider:model`) → ordered `provider:model` candidates. */
export type FailoverChains = Readonly<Record<string, readonly string[]>>;

/**
 * The candidates for a resolved model. The chain is looked up by what was asked for (`sonnet`),
 * then the resolved `provider:model`, then the bare model id. The resolved model always comes first,
 * so resolution keeps its meaning; chain entries whose provider is not configured are left out (a
 * config shared by users with different keys stays valid). No chain, or `failover: false`, gives a
 * single candidate: that model is never substituted.
 */
export function failoverCandidates(
  resolved: ResolvedModel,
  providers: readonly ProviderConfig[],
  chains: FailoverChains,
  options: { failover: boolean },
): Candidate[] {
  const primary: Candidate = { provider: resolved.provider, modelId: resolved.modelId, spec: resolved.spec };
  if (!options.failover) return [primary];
  const chain = chains[resolved.requested] ?? chains[resolved.spec] ?? chains[resolved.modelId];
  if (!chain) return [primary];
  const candidates = [primary];
  for (const entry of chain) {
    let candidate: Candidate;
    try {
      const { provider, modelId } = resolveSpec(entry, providers);
      candidate = { provider, modelId, spec: `${provider.id}:${modelId}` };
    } catch (error) {
      if (error instanceof ModelConfigError) continue;
      throw error;
    }
    if (!candidates.some((c) => c.spec === candidate.spec)) candidates.push(candidate);
  }
  return candidates;
}

/**
 * `sonnet=anthropic:claude-sonnet-5,openai:gpt-5.5; opus=…` (an env var or flag value) → chains.
 * Throws ModelConfigError naming the bad part.
 */
export function parseFailoverChains(text: string): Record<string, string[]> {
  const chains: Record<string, string[]> = {};
  for (const part of text.split(';')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const list = part
      .slice(eq + 1)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (eq <= 0 || !key || list.length === 0) {
      throw new ModelConfigError(
        `Invalid failover chain '${part.trim()}'`,
        'Write chains as `model=provider:model,provider:model`, separated by `;` (e.g. `sonnet=anthropic:claude-sonnet-5,openai:gpt-5.5`).',
      );
    }
    chains[key] = list;
  }
  return chains;
}
