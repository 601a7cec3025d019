/**
 * What the permission policy tells the tools that enforce part of it themselves: the Bash sandbox
 * (network, hidden paths) and WebFetch's SSRF guard (private hosts). The policy layer
 * (`tools/policy`) builds one per subagent; when a context has none, tools use the strict defaults
 * below — a tool never widens access because this object is missing.
 */
export interface ToolPermissions {
  /**
   * True when an explicit allow rule (e.g. `WebFetch(domain:localhost)`) names this host, letting it
   * through the SSRF guard although it resolves to a loopback, private, link-local or metadata address.
   */
  allowsPrivateHost(host: string): boolean;
  /** Whether Bash inside the OS sandbox may use the network. */
  readonly bashNetwork: boolean;
  /** Absolute paths the sandbox hides from Bash (the secret deny list resolved to paths). */
  readonly hiddenPaths: readonly string[];
  /**
   * The same, found without blocking the event loop (a big workspace takes seconds to search, and
   * other tasks of the process, a queue worker's job locks among them, must go on meanwhile).
   * Throws a ToolDeniedError when the search cannot be complete. Absent: `hiddenPaths` is used.
   */
  findHiddenPaths?(signal?: AbortSignal): Promise<readonly string[]>;
  /**
   * True for an absolute path no file tool may show (a secret, or under a `Read(…)` deny rule):
   * Grep, Glob and LS leave such files out of their results. Absent = nothing hidden.
   */
  hidesPath?(absolutePath: string): boolean;
  /**
   * True for an absolute path no file tool may write: a secret, or a protected control path such
   * as `.claude/settings.json` that no allow rule names. Re-checked on the opened file, so a symlink
   * swapped in after the policy check cannot redirect a write there. Absent = nothing protected.
   */
  protectsPath?(absolutePath: string): boolean;
}

export const STRICT_TOOL_PERMISSIONS: ToolPermissions = Object.freeze({
  allowsPrivateHost: () => false,
  bashNetwork: false,
  hiddenPaths: Object.freeze([]) as readonly string[],
});
