import { realpathSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_PROTECTED_PATHS } from '../../config/index.ts';
import type { ToolPermissions } from '../permissions.ts';
import { callFacts } from './call-facts.ts';
import { hostMatches } from './compiled-rules.ts';
import { decide, type PolicyDecision } from './decide.ts';
import {
  isPermissionMode,
  type PermissionMode,
  type PermissionPolicy,
  stricterMode,
} from './permission-policy.ts';
import { type ProtectedPaths, protectedPaths } from './protected-paths.ts';
import { READ_TOOLS } from './rule-syntax.ts';
import { type SecretPaths, secretPaths } from './secret-paths.ts';

/**
 * The secret list resolved for a workspace is shared by the subagents of one policy for a few
 * seconds: finding the secrets that exist crawls the workspace, which a fan-out of 100 subagents
 * should pay for once, not 100 times.
 */
const SECRETS_REUSE_MS = 5_000;
const resolved = new WeakMap<PermissionPolicy, Map<string, { at: number; secrets: SecretPaths }>>();

function sharedSecrets(policy: PermissionPolicy, workspaceRoot: string): SecretPaths {
  let byRoot = resolved.get(policy);
  if (!byRoot) {
    byRoot = new Map();
    resolved.set(policy, byRoot);
  }
  const cached = byRoot.get(workspaceRoot);
  if (cached && performance.now() - cached.at < SECRETS_REUSE_MS) return cached.secrets;
  const bases = { cwd: workspaceRoot, home: policy.home, root: policy.cwd };
  const secrets = privateRootsHidden(
    secretPaths(policy.secretPatterns, policy.secretExceptions, bases),
    policy.privateRoots ?? [],
    workspaceRoot,
  );
  byRoot.set(workspaceRoot, { at: performance.now(), secrets });
  return secrets;
}

/** A path as its real path when it exists (a worker's cache under a symlinked home). */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

const within = (p: string, dir: string) => p === dir || p.startsWith(dir + path.sep);

/**
 * The secret list plus the private roots (PermissionPolicyOptions.privateRoots): everything under
 * them is secret to the file tools but the task's own workspace. The Bash sandbox masks them itself
 * (SandboxSettings.privateRoots), before it binds the workspace, so they are not in `existing()`.
 */
function privateRootsHidden(
  secrets: SecretPaths,
  roots: readonly string[],
  workspaceRoot: string,
): SecretPaths {
  if (roots.length === 0) return secrets;
  const dirs = [...new Set(roots.flatMap((r) => [path.resolve(r), real(r)]))];
  const own = [path.resolve(workspaceRoot), real(workspaceRoot)];
  const patternOf = (abs: string) => {
    const root = dirs.find((dir) => within(abs, dir));
    if (root !== undefined && !own.some((w) => within(abs, w)))
      return `${root} (the worker's workspaces: other tasks' repositories)`;
    return secrets.patternOf(abs);
  };
  return {
    matches: (abs) => patternOf(abs) !== undefined,
    patternOf,
    existing: () => secrets.existing(),
    findExisting: (signal) => secrets.findExisting(signal),
  };
}

/**
 * The protected control paths compiled once per policy and workspace (a policy object is replaced
 * when a settings file changes): compiling their patterns per subagent cost ~140 µs a task.
 */
const compiledControls = new WeakMap<PermissionPolicy, Map<string, ProtectedPaths>>();

function sharedProtectedPaths(policy: PermissionPolicy, workspaceRoot: string): ProtectedPaths {
  let byRoot = compiledControls.get(policy);
  if (!byRoot) {
    byRoot = new Map();
    compiledControls.set(policy, byRoot);
  }
  let controls = byRoot.get(workspaceRoot);
  if (!controls) {
    const bases = { cwd: workspaceRoot, home: policy.home, root: policy.cwd };
    controls = protectedPaths(DEFAULT_PROTECTED_PATHS, bases, policy.liftingRules);
    byRoot.set(workspaceRoot, controls);
  }
  return controls;
}

/** The policy as it applies to one subagent: its mode, its checks, and what its tools are told. */
export interface AgentPolicy {
  readonly mode: PermissionMode;
  /** Said once per task: e.g. a `bypassPermissions` the config does not allow, downgraded. */
  readonly warnings: readonly string[];
  /** For the tools that enforce part of the policy themselves (sandbox, WebFetch, listings). */
  readonly permissions: ToolPermissions;
  check(name: string, input: unknown): Promise<PolicyDecision>;
}

/**
 * Applies `policy` to an agent. Its mode is its file's `permissionMode`, else the policy's default —
 * but never looser than it may be: a project's agent file (the repository's) only tightens the
 * user's mode, and a nested subagent never runs looser than the subagent that started it
 * (`floor`). `bypassPermissions` needs `permissions.allowBypassPermissions: true` in the user's
 * config; asked for without it, the agent runs in `default` mode, with a warning.
 */
export function agentPolicy(
  policy: PermissionPolicy,
  agent: { name: string; permissionMode?: string | undefined; scope?: string; file?: string | undefined },
  workspaceRoot: string,
  floor?: PermissionMode,
): AgentPolicy {
  const warnings: string[] = [];
  const asked = isPermissionMode(agent.permissionMode) ? agent.permissionMode : undefined;
  let mode: PermissionMode = asked ?? policy.defaultMode;
  if (asked && agent.scope === 'project' && stricterMode(policy.defaultMode, asked) !== asked) {
    mode = policy.defaultMode;
    warnings.push(
      `${agent.file ?? `agent '${agent.name}'`}: permissionMode \`${asked}\` is looser than your mode \`${policy.defaultMode}\`; a repository's agent may only tighten it, so '${agent.name}' runs in \`${mode}\` (set permissionMode in an agent under ~/.claude/agents to choose it yourself)`,
    );
  }
  if (mode === 'bypassPermissions' && policy.config.allowBypassPermissions !== true) {
    mode = 'default';
    const from = asked ? `agent '${agent.name}' asks for` : 'the configured defaultMode is';
    warnings.push(
      `${from} permissionMode bypassPermissions, which your config does not allow: running in default mode. Set \`permissions.allowBypassPermissions: true\` in ~/.codex-task/config.json to let it.`,
    );
  }
  if (floor !== undefined) mode = stricterMode(mode, floor);
  const secrets = sharedSecrets(policy, workspaceRoot);
  const controls = sharedProtectedPaths(policy, workspaceRoot);
  const readDenies = policy.rules.filter(
    (r) => r.behavior === 'deny' && r.parsed.kind === 'read-path' && r.parsed.specifier !== undefined,
  );
  const privateHosts = policy.liftingRules.filter(
    (r) => r.behavior === 'allow' && r.parsed.kind === 'domain' && r.parsed.specifier !== undefined,
  );
  const deniedHosts = policy.rules.filter((r) => r.behavior === 'deny' && r.parsed.kind === 'domain');
  const permissions: ToolPermissions = {
    allowsPrivateHost: (host) => {
      const h = host.toLowerCase().replace(/^\[|\]$/g, '');
      const named = (r: (typeof privateHosts)[number]) =>
        r.whole || hostMatches(r.parsed.specifier!.replace(/^\[|\]$/g, ''), h);
      return privateHosts.some(named) && !deniedHosts.some(named);
    },
    bashNetwork: policy.config.bashNetwork === true,
    get hiddenPaths() {
      return secrets.existing();
    },
    findHiddenPaths: (signal) => secrets.findExisting(signal),
    protectsPath: (abs) => secrets.matches(abs) || controls.patternOf(abs) !== undefined,
    hidesPath: (abs) =>
      secrets.matches(abs) || readDenies.some((r) => r.touches({ name: READ_TOOLS[0]!, paths: [abs] })),
  };
  return {
    mode,
    warnings,
    permissions,
    async check(name, input) {
      const facts = await callFacts(name, input, { workspaceRoot, home: policy.home });
      return decide(facts, policy.rules, mode, secrets, controls, policy.liftingRules);
    },
  };
}
