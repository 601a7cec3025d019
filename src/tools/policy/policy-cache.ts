import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  loadPermissionPolicy,
  type PermissionPolicy,
  type PermissionPolicyOptions,
} from './permission-policy.ts';
import { claudeSettingsFiles } from './settings-files.ts';

/** How often the settings files of a directory are looked at again (a stat per file, no read). */
export const POLICY_RECHECK_MS = 1_000;

/**
 * Policies per working directory, reloaded when a settings file appears, changes or goes away: a
 * deny rule a user adds during a long MCP or proxy session holds from the next tool call on.
 */
export class PermissionPolicyCache {
  readonly #options: Omit<PermissionPolicyOptions, 'cwd'>;
  readonly #entries = new Map<string, { policy: PermissionPolicy; signature: string; checkedAt: number }>();
  readonly #recheckMs: number;

  constructor(options: Omit<PermissionPolicyOptions, 'cwd'>, recheckMs = POLICY_RECHECK_MS) {
    this.#options = options;
    this.#recheckMs = recheckMs;
  }

  get(cwd: string): PermissionPolicy {
    const dir = path.resolve(cwd);
    const entry = this.#entries.get(dir);
    const now = performance.now();
    if (entry && now - entry.checkedAt < this.#recheckMs) return entry.policy;
    const signature = this.#signature(dir);
    if (entry && entry.signature === signature) {
      entry.checkedAt = now;
      return entry.policy;
    }
    const policy = loadPermissionPolicy({ ...this.#options, cwd: dir });
    this.#entries.set(dir, { policy, signature, checkedAt: now });
    return policy;
  }

  #signature(dir: string): string {
    if (this.#options.config?.claudeSettings === false) return '';
    return claudeSettingsFiles(dir, this.#options.homeDir ?? homedir())
      .map(({ file }) => {
        const st = statSync(file, { throwIfNoEntry: false });
        return `${file}:${st?.mtimeMs ?? 0}:${st?.size ?? 0}`;
      })
      .join('\n');
  }
}
