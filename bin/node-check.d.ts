// Types of node-check.js (plain JavaScript so that an old Node can run it; see there).

/** package.json's `engines.node`, e.g. `^22.19.0 || >=24`. */
export declare const NODE_RANGE: string;
export declare function parseRange(range?: string): { op: '>=' | '^'; floor: [number, number, number] }[];
/** Whether a Node version (`22.19.0` or `v22.19.0`) satisfies the range (default: engines.node). */
export declare function satisfies(version: string, range?: string): boolean;
/** The oldest Node the range allows, e.g. `22.19.0`. */
export declare function minimumNode(range?: string): string;
/** The range in words, e.g. `22 (22.19.0 or later), or 24.0.0 or newer`. */
export declare function describeRange(range?: string): string;
/** Ways to get a Node that fits, one line each. */
export declare function upgradeHints(range?: string): string[];
/** The message for a Node that does not fit, or undefined when it does. */
export declare function nodeProblem(version: string, execPath?: string): string | undefined;
