import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchDisplay } from '../cli/batch-display.ts';
import { isInteractive } from '../cli/output.ts';
import { changedProgress, describeResult, progressLine, runTimeMs } from '../cli/task-report.ts';
import type { TaskInput } from '../engine/index.ts';
import { createRuntime } from '../runtime/index.ts';
import { DEFAULT_SANDBOX_SETTINGS, sandboxStatus } from '../sandbox/index.ts';
import { startScriptedModel } from '../scripted-model/index.ts';
import { DEMO_SCRIPT } from './demo-script.ts';
import { writeSampleProject } from './sample-project.ts';

const TASKS: TaskInput[] = [
  {
    subagent_type: 'reviewer',
    description: 'Review inventory module',
    prompt: 'Review src/inventory.js for bugs.',
  },
  {
    subagent_type: 'test-runner',
    description: 'Run the tests',
    prompt: 'Run the test suite and explain any failure.',
  },
  {
    subagent_type: 'doc-writer',
    description: 'Document the API',
    prompt: 'Write API docs for the source modules.',
  },
];

/**
 * `codex-task demo`: three agents from a sample project's .claude/agents, run in parallel by the real
 * engine with real tools, each on a different vendor's wire format served by the scripted model.
 */
export async function runDemo(
  options: { keep?: boolean; out?: NodeJS.WritableStream } = {},
): Promise<number> {
  const out = options.out ?? process.stdout;
  const say = (line = '') => out.write(`${line}\n`);
  const project = await mkdtemp(join(tmpdir(), 'codex-task-demo-'));
  const server = await startScriptedModel({ script: DEMO_SCRIPT });
  try {
    await writeSampleProject(project);
    say('codex-task demo: 3 subagents in parallel on a sample project — offline, on a SCRIPTED model');
    say(`  project:      ${project}`);
    say(
      `  model server: ${server.url} (Anthropic, OpenAI and Gemini wire formats; its replies are scripted)`,
    );
    const sandbox = sandboxStatus(DEFAULT_SANDBOX_SETTINGS);
    say(
      `  sandbox:      ${
        sandbox.bash === 'sandboxed'
          ? `Bash runs in bubblewrap (${sandbox.probe.version}): no network, writes only in the project`
          : `none (${sandbox.probe.reason}): Bash runs unsandboxed for this demo's own sample project and scripted commands; elsewhere it is refused without the sandbox (see codex-task doctor)`
      }`,
    );
    say();
    // Nothing of the demo is recorded: its sample project is deleted when it ends.
    const runtime = createRuntime({
      observe: false,
      mcpClients: false,
      engine: {
        cwd: project,
        homeDir: project,
        providers: [
          { id: 'anthropic', kind: 'anthropic', baseURL: server.baseUrls.anthropic, apiKey: 'scripted' },
          { id: 'openai', kind: 'openai', baseURL: server.baseUrls.openai, apiKey: 'scripted' },
          { id: 'google', kind: 'google', baseURL: server.baseUrls.google, apiKey: 'scripted' },
        ],
        env: {},
        // The demo's commands are its own script's, on a project it just wrote: safe to run bare where
        // there is no sandbox (macOS), so the tour still shows Bash at work.
        ...(sandbox.bash === 'sandboxed' ? {} : { sandbox: { mode: 'off' as const } }),
      },
    });
    const { engine } = runtime;
    // On a terminal the batch's live view runs below the progress lines (which print above it).
    const display =
      out === process.stdout && isInteractive(process.stdout)
        ? new BatchDisplay(TASKS, { stream: process.stdout, live: true })
        : undefined;
    display?.attach(engine);
    const progress = (line: string) => (display ? display.note(`  ${line}`) : say(`  ${line}`));
    engine.events.on('task.started', (e) => progress(progressLine('started', e)));
    const changed = changedProgress();
    engine.events.on('task.progress', (e) => {
      const line = e.lastTool && e.toolUses > 0 ? changed(e) : undefined;
      if (line) progress(line);
    });
    const started = performance.now();
    const results = await Promise.all(
      TASKS.map((task, index) => {
        if (display) display.admitting = index;
        const result = engine.run(task);
        if (display) display.admitting = -1;
        return result;
      }),
    );
    const wall = performance.now() - started;
    await runtime.close();
    await display?.stop();
    for (const result of results) {
      say();
      say(`── ${result.agentType}: ${describeResult(result)}`);
      say(result.status === 'completed' ? result.content : (result.partialContent ?? '(no output)'));
    }
    const serial = results.reduce((sum, r) => sum + runTimeMs(r), 0);
    const completed = results.filter((r) => r.status === 'completed').length;
    say();
    say(
      `${completed} of ${results.length} tasks completed in ${(wall / 1000).toFixed(2)} s wall time ` +
        `(${(serial / 1000).toFixed(2)} s of task time: ${(serial / wall).toFixed(1)}× from running in parallel).`,
    );
    say('The model was scripted; the agents, tools, files and test run were real.');
    say('To use a real model, set ANTHROPIC_API_KEY, OPENAI_API_KEY or GEMINI_API_KEY and, in your project:');
    say('  npx codex-task run <agent> "<task>"      (agents from .claude/agents, or general-purpose)');
    return completed === results.length ? 0 : 1;
  } finally {
    await server.close();
    if (!options.keep) await rm(project, { recursive: true, force: true });
  }
}
