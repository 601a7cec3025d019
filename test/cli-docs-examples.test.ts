import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ENVIRONMENT_DOC, envTable, withEnvTable } from '../scripts/docs-env.ts';
import { ENV_VARS } from '../src/config/index.ts';
import { parseScript } from '../src/scripted-model/index.ts';
import { type CliRun, runCli, startCli } from './cli-support.ts';
import { makeWorkspace } from './support.ts';

const DOC = readFileSync(fileURLToPath(new URL('../docs/scripted-model.md', import.meta.url)), 'utf8');

/** The code block after `<!-- example: NAME -->`, and the file it belongs in (the "`path`:" line above it). */
function example(name: string): { text: string; path?: string } {
  const match = new RegExp(
    `(?:\`([^\`\\n]+)\`:\\s*\\n\\s*)?<!-- example: ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``,
  ).exec(DOC);
  if (!match) throw new Error(`docs/scripted-model.md has no example '${name}'`);
  return { text: match[2]!, ...(match[1] ? { path: match[1] } : {}) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(read: () => string, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; got:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const trimLines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('docs/scripted-model.md', () => {
  it('the tool-calling example runs as written: scripted-model, then run against it', async () => {
    const files = ['scripted-model-agent', 'scripted-model-source', 'scripted-model-script'].map(example);
    const workspace = await makeWorkspace(
      Object.fromEntries(
        files.map(({ path, text }) => {
          if (!path) throw new Error('each file of the example is introduced by its path');
          return [path, text];
        }),
      ),
    );
    cleanup.push(() => rm(workspace, { recursive: true, force: true }));
    // The only change: the documented port, in case another process holds it while the suite runs.
    const port = String(await freePort());
    const lines = example('scripted-model-commands')
      .text.replaceAll('8788', port)
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter(Boolean);
    const argsOf = (line: string) =>
      [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(2); // drop `npx codex-task`

    const env: Record<string, string> = {};
    let server: ReturnType<typeof startCli> | undefined;
    let run: CliRun | undefined;
    for (const line of lines) {
      if (/^npx codex-task .* &$/.test(line)) {
        const started = startCli(argsOf(line.replace(/\s*&$/, '')), { cwd: workspace, env });
        server = started;
        cleanup.push(async () => {
          started.child.kill('SIGKILL');
          await started.done;
        });
        await waitFor(() => started.output().stdout, /scripted model listening on http:\/\/127\.0\.0\.1:\d+/);
      } else if (line.startsWith('export ')) {
        for (const [, name, value] of line.matchAll(/(\w+)=(\S+)/g)) env[name!] = value!;
      } else if (line.startsWith('npx codex-task ')) {
        run = await runCli(argsOf(line), { cwd: workspace, env });
      } else if (line === 'kill %1') {
        server!.child.kill('SIGTERM');
        expect((await server!.done).code).toBe(0);
      } else throw new Error(`the test does not know how to run: ${line}`);
    }

    expect(env).toEqual({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_API_KEY: 'offline' });
    expect(run, 'the example runs an agent').toBeDefined();
    expect(run!.code, run!.stderr).toBe(0);
    // The tool call happened: the engine ran Read, and its real output came back into the answer.
    expect(run!.stderr).toContain('[code-reviewer] Read');
    expect(run!.stderr).toMatch(/completed · code-reviewer · openai:gpt-5\.5 · .* 1 tool uses \(Read×1\)/);
    expect(trimLines(run!.stdout)).toBe(trimLines(example('scripted-model-output').text));
  }, 60_000);

  it('every YAML script in it is a valid script, and the Codex provider block is valid TOML', async () => {
    const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(() => parseScript(parseYaml(block)), block).not.toThrow();
    const toml = /```toml\n([\s\S]*?)```/.exec(DOC)![1]!.replace(/^ {2}/gm, '');
    expect(parseToml(toml)).toMatchObject({
      model_provider: 'scripted',
      model_providers: { scripted: { wire_api: 'responses' } },
    });
  });

  it('a script that is not valid stops the server with exit 2, naming the file and field as shown', async () => {
    const workspace = await makeWorkspace();
    cleanup.push(() => rm(workspace, { recursive: true, force: true }));
    const shown = /```text\n(error: bad\.yaml[\s\S]*?)```/.exec(DOC)![1]!;
    await writeFile(
      join(workspace, 'bad.yaml'),
      'rules:\n  - when: { usr: hello }\n    reply: { text: hi }\n',
    );
    const run = await runCli(['scripted-model', '--port', '0', '--script', 'bad.yaml'], { cwd: workspace });
    expect(run.code).toBe(2);
    expect(trimLines(run.stderr)).toBe(trimLines(shown));
  });
});

describe('docs/environment.md', () => {
  it('holds the table of every CODEX_TASK_* variable exactly as `npm run docs:env` generates it', () => {
    const doc = readFileSync(ENVIRONMENT_DOC, 'utf8');
    expect(doc, 'docs/environment.md is out of date: run `npm run docs:env`').toBe(withEnvTable(doc));
    for (const variable of ENV_VARS) expect(doc).toContain(`| \`${variable.name}\` |`);
  });

  it('regenerates only what lies between its markers', () => {
    const doc = readFileSync(ENVIRONMENT_DOC, 'utf8');
    const stale = doc.replace('| `CODEX_TASK_CONCURRENCY` |', '| `CODEX_TASK_CONCURENCY` |');
    expect(stale).not.toBe(doc);
    expect(withEnvTable(stale)).toBe(doc);
    expect(envTable([{ name: 'CODEX_TASK_X', description: 'a | b' }])).toContain(
      '| `CODEX_TASK_X` | a \\| b |',
    );
  });
});
