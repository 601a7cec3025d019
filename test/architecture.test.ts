import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layering of docs/architecture.md, checked on every import of src/ (static, dynamic, type-only),
// so a change cannot quietly undo it. dependency-cruiser would be the usual tool, but it parses
// TypeScript through the TypeScript 5 compiler API, which TypeScript 7 (our tsc) no longer ships;
// our sources are formatted by one tool, so their import statements read reliably as text.

const SRC = resolve(import.meta.dirname, '../src');

/** Each folder's layer: a module may import its own layer and the ones below, never above. */
const LAYERS: Record<string, number> = {
  // support: what everything else is described with
  errors: 0,
  config: 0,
  agents: 0,
  commands: 0,
  providers: 0,
  trust: 0,
  'scripted-model': 0,
  // services the engine runs on
  models: 1,
  tools: 1,
  sandbox: 1,
  'mcp-client': 1,
  worktree: 1,
  engine: 2,
  // observers subscribe to the engine's events
  store: 3,
  telemetry: 3,
  observe: 3,
  // the queue's client and worker (BullMQ): they drive an engine, as observers do; the runtime composes them
  queue: 3,
  // the composition root
  runtime: 4,
  // surfaces
  cli: 5,
  mcp: 5,
  proxy: 5,
  http: 5,
  // the dashboard's routes, mounted by the HTTP server (src/http) of serve and the proxy
  dashboard: 5,
  demo: 5,
  '(package)': 6,
};

const LAYER_NAMES = ['support', 'services', 'engine', 'observers', 'runtime', 'surfaces', 'package'];

/**
 * Imports of another folder's inner file instead of its index.ts, each with its reason. Leaf
 * modules (tables with no imports) may be reached directly by anyone: see `isLeaf`.
 */
const DEEP_IMPORTS_ALLOWED: Record<string, string> = {
  // `codex-task mcp` must list its tool within a second: it loads the engine's light files, not the engine.
  'mcp/progress-router.ts -> engine/types.ts': 'start-up time (types only)',
  'mcp/task-call.ts -> engine/result-text.ts': 'start-up time',
  'mcp/task-call.ts -> engine/types.ts': 'start-up time (types only)',
  'mcp/task-tool.ts -> engine/task-tool-definition.ts': 'start-up time',
  'mcp/send-message-tool.ts -> engine/send-message-input.ts': 'start-up time',
  'mcp/tool-args.ts -> engine/task-input.ts': 'start-up time',
  'mcp/task-call.ts -> store/record-result.ts': 'start-up time: a record as text without SQLite',
  'cli/mcp-command.ts -> mcp/serve-entry.ts': 'start-up time: the MCP server without the install code',
  'cli/runs-command.ts -> store/types.ts': 'start-up time: record types without SQLite',
  // The demo is the CLI's own tour: it prints with the CLI's views.
  'demo/run-demo.ts -> cli/batch-display.ts': 'the CLI live view',
  'demo/run-demo.ts -> cli/output.ts': 'the CLI output helpers',
  'demo/run-demo.ts -> cli/task-report.ts': 'the CLI result lines',
};

/** Leaf modules: tables and patterns that import nothing of ours, safe to reach from anywhere. */
function isLeaf(target: string): boolean {
  return /^config\/(defaults(\/[\w-]+)?\.ts|credential-patterns\.ts)$/.test(target);
}

interface Import {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && entry.name !== 'testing.ts'
      ? [path]
      : [];
  });
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const from = relative(SRC, file);
  return [...text.matchAll(IMPORT)].flatMap((m) => {
    const to = relative(SRC, resolve(dirname(file), m[1]!));
    // Files the demo writes into its sample project, not imports of ours.
    if (to.startsWith('..') || to.startsWith('src/')) return [];
    return [{ from, to }];
  });
}

const folderOf = (path: string) => (path.includes('/') ? path.split('/')[0]! : '(package)');
const ALL = sourceFiles(SRC).flatMap(importsOf);

describe('architecture (docs/architecture.md)', () => {
  it('reads the imports of every source file', () => {
    expect(ALL.length).toBeGreaterThan(500);
    expect(ALL).toContainEqual({ from: 'runtime/create-runtime.ts', to: 'engine/index.ts' });
    expect(ALL).toContainEqual({ from: 'mcp/task-runtime.ts', to: 'runtime/index.ts' });
  });

  it('puts every folder of src/ in a layer', () => {
    const folders = new Set(sourceFiles(SRC).map((f) => folderOf(relative(SRC, f))));
    expect([...folders].filter((f) => LAYERS[f] === undefined)).toEqual([]);
  });

  it('has dependencies point downwards only: the engine never imports an observer, the runtime or a surface', () => {
    const upward = ALL.filter(({ from, to }) => {
      const a = LAYERS[folderOf(from)]!;
      const b = LAYERS[folderOf(to)]!;
      return b > a;
    }).map(
      ({ from, to }) =>
        `${from} (${LAYER_NAMES[LAYERS[folderOf(from)]!]}) -> ${to} (${LAYER_NAMES[LAYERS[folderOf(to)]!]})`,
    );
    expect(upward).toEqual([]);
  });

  it('reaches another folder through its index.ts, except leaf tables and the listed start-up paths', () => {
    const deep = ALL.filter(({ from, to }) => {
      if (folderOf(from) === folderOf(to) || folderOf(to) === '(package)') return false;
      const inner = to.split('/').slice(1).join('/');
      if (inner === 'index.ts' || to === 'tools/policy/index.ts' || isLeaf(to)) return false;
      return DEEP_IMPORTS_ALLOWED[`${from} -> ${to}`] === undefined;
    }).map(({ from, to }) => `${from} -> ${to}`);
    expect(deep).toEqual([]);
  });

  it('builds engines, MCP client pools and observers only in the runtime (surfaces get them from it)', () => {
    const builders = sourceFiles(SRC).flatMap((file) => {
      const path = relative(SRC, file);
      if (folderOf(path) === 'runtime') return [];
      // Code lines only: comments may name them.
      const text = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
        .join('\n');
      return [/new TaskEngine\(/, /new McpClientPool\(/, /(?<!function )\bobserve\(engine\b/]
        .filter((pattern) => pattern.test(text))
        .map((pattern) => `${path}: ${pattern.source}`);
    });
    expect(builders).toEqual([]);
  });
});
