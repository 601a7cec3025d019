import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { TaskEngine, type TaskEngineOptions } from '../src/engine/index.ts';
import type { ProviderConfig } from '../src/providers/index.ts';
import {
  type ScriptedHandler,
  type ScriptedModelServer,
  startScriptedModel,
} from '../src/scripted-model/index.ts';

/** A temp directory that is a repository root (has .git), with the given files. */
export async function makeWorkspace(files: Record<string, string> = {}): Promise<string> {
  const root = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-test-')));
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
