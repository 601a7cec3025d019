import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, onTestFinished } from 'vitest';
import { TaskEngine, type TaskEngineOptions } from '../src/engine/index.ts';
import type { ProviderConfig } from '../src/providers/index.ts';
import {
  type ScriptedHandler,
  type ScriptedModelServer,
  startScriptedModel,
} from '../src/scripted-model/index.ts';

/** Temp directories made outside any test (in a `beforeAll`, or at a file's top level). */
const madeOutsideTests = new Set<string>();
// Registered when a test file first imports this module, so it runs after that file's own `afterAll`
// hooks (they run in reverse order): servers and engines using the directories are closed first.
try {
  afterAll(async () => {
    for (const dir of madeOutsideTests) await rm(dir, { recursive: true, force: true });
    madeOutsideTests.clear();
  });
} catch {
  // Imported outside a test run (a fixture's child process): there is no test file to clean up after.
}

/**
 * Removes a temp directory when it is no longer needed, whether the test passes or fails: made in
 * a test (or its `beforeEach`), when that test finishes; made outside one, after the file's last test.
 */
export function removeWhenDone(dir: string): void {
  try {
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
  } catch {
    // Not inside a test: vitest's onTestFinished throws there.
    madeOutsideTests.add(dir);
  }
}

/**
 * A temp directory that is a repository root (has .git), with the given files; removed when done
 * (see removeWhenDone), so a test need not clean it up itself.
 */
export async function makeWorkspace(files: Record<string, string> = {}): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-test-')));
  removeWhenDone(root);
  await mkdir(join(root, '.git'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

export function providersFor(server: ScriptedModelServer): ProviderConfig[] {
  return [
    {
      id: 'openai',
      kind: 'openai',
      baseURL: server.baseUrls.openai,
      apiKey: 'test',
      apiKeyEnv: 'OPENAI_API_KEY',
    },
    {
      id: 'anthropic',
      kind: 'anthropic',
      baseURL: server.baseUrls.anthropic,
      apiKey: 'test',
      apiKeyEnv: 'ANTHROPIC_API_KEY',
    },
    { id: 'google', kind: 'google', baseURL: server.baseUrls.google, apiKey: 'test' },
  ];
}

/**
 * One scripted model server per test file and one workspace per test; engines made with `engine()`
 * are closed after each test. Behaviour is set per test with `model.setHandler`.
 */
export function useHarness() {
  const state = {} as { server: ScriptedModelServer; workspace: string; engines: TaskEngine[] };
  beforeAll(async () => {
    state.server = await startScriptedModel({ handler: () => ({ text: 'ok' }) });
    state.engines = [];
  });
  afterEach(async () => {
    for (const engine of state.engines.splice(0)) engine.close();
    state.server.reset();
    if (state.workspace) await rm(state.workspace, { recursive: true, force: true });
  });
  afterAll(async () => {
    await state.server.close();
  });
  return {
    get model(): ScriptedModelServer {
      return state.server;
    },
    get workspace(): string {
      return state.workspace;
    },
    async setup(files: Record<string, string> = {}, handler?: ScriptedHandler): Promise<string> {
      state.workspace = await makeWorkspace(files);
      if (handler) state.server.setHandler(handler);
      return state.workspace;
    },
    engine(options: TaskEngineOptions = {}): TaskEngine {
      const engine = new TaskEngine({
        cwd: state.workspace,
        homeDir: state.workspace,
        providers: providersFor(state.server),
        env: {},
        callerModel: 'openai:gpt-5.5',
        agentRescanIntervalMs: 0,
        ...options,
      });
      state.engines.push(engine);
      return engine;
    },
  };
}

export function agentFile(fields: Record<string, string>, body = 'You are a test agent.'): string {
  const yaml = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  return `---\n${yaml}\n---\n${body}\n`;
}

/**
 * A repository as a cloned one would be: the harness's workspace holding `files` (objects are
 * written as JSON), and a separate, empty home for the user (their trust, config and agents).
 */
export async function repoAndHome(
  h: ReturnType<typeof useHarness>,
  files: Record<string, unknown>,
): Promise<{ ws: string; home: string }> {
  const ws = await h.setup();
  const home = await makeWorkspace();
  for (const [path, value] of Object.entries(files)) {
    await mkdir(dirname(join(ws, path)), { recursive: true });
    await writeFile(join(ws, path), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  }
  return { ws, home };
}

/** Whether a process runs: a zombie (exited, not yet reaped by this container's init) counts as gone. */
export function processAlive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
