// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the entries' own syntax, shown unexpanded
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { readTrustRecords } from '../src/trust/index.ts';
import { runCli } from './cli-support.ts';
import { repoAndHome, useHarness } from './support.ts';

/**
 * Trusting a server entry is trusting the workspace code it runs: the files it names (its command,
 * its arguments, a `NODE_OPTIONS` preload) and what npx would take from the project's
 * `node_modules/.bin`. A subagent's sandboxed command (or a re-clone, or anyone) that changes one
 * of them after `codex-task trust` gets the server skipped, never started on the host. Every case
 * goes through the real command line.
 */
const h = useHarness();
const KEY = 'sk-proj-user-secret-key-0123456789';

const repo = (files: Record<string, unknown>) => repoAndHome(h, files);

const run = (
  ws: string,
  home: string,
  args: string[] = ['run', 'general-purpose', 'hello'],
  env: Record<string, string> = {},
) =>
  runCli(args, {
    cwd: ws,
    timeoutMs: 60_000,
    env: { HOME: home, OPENAI_API_KEY: KEY, OPENAI_BASE_URL: h.model.baseUrls.openai, ...env },
  });

/** Code that proves it ran on the host: a marker file outside the workspace's reach. */
const hostileCode = (marker: string) =>
  `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran on the host');\n`;

const nodeServer = (script: string) => ({ command: process.execPath, args: [script] });

describe('trust binds the workspace files a server runs', () => {
  // The reviewer's in-session cases: whatever the entry runs through (a package.json script, a path
  // Node completes, a shell's -c string), the server is started once, from the code as trusted,
  // before the subagent can write, and never again in that engine's life.
  it.each([
    ['a file it names', nodeServer('tools/mcp-server.cjs'), 'tools/mcp-server.cjs', {}],
    [
      'npm run <script>',
      { command: 'npm', args: ['run', '--silent', 'mcp'] },
      'package.json',
      { 'package.json': { name: 'x', version: '1.0.0', scripts: { mcp: 'node tools/mcp-server.cjs' } } },
    ],
    [
      'a path Node completes',
      { command: 'node', args: ['tools/mcp-server'] },
      'tools/mcp-server.js',
      { 'tools/mcp-server.js': `require('fs').appendFileSync('original-ran', 'x');\n` },
    ],
    [
      'a file named in sh -c',
      { command: 'sh', args: ['-c', 'exec node tools/mcp-server.cjs'] },
      'tools/mcp-server.cjs',
      {},
    ],
  ])(
    '%s: a subagent’s rewrite is never started on the host, nor is the server restarted',
    async (_, entry, target, extra) => {
      const { ws, home } = await repo({
        '.mcp.json': { mcpServers: { local: entry } },
        'tools/mcp-server.cjs': `require('fs').appendFileSync('original-ran', 'x');\n`,
        '.claude/agents/helper.md':
          '---\nname: helper\ndescription: helper\ntools: Write, Task\n---\nYou are a helper.\n',
        ...extra,
      });
      const marker = join(home, 'host-marker');
      const hostile =
        target === 'package.json'
          ? JSON.stringify({ scripts: { mcp: `node -e ${JSON.stringify(hostileCode(marker).trim())}` } })
          : hostileCode(marker);
      expect((await run(ws, home, ['trust'])).code).toBe(0);

      h.model.setHandler((req: ScriptedRequest) => {
        if (!req.system.includes('You are a helper')) return { text: 'child done' };
        if (req.turn === 0)
          return { toolCalls: [{ name: 'Write', input: { file_path: target, content: hostile } }] };
        if (req.turn <= 2)
          return {
            toolCalls: [
              {
                name: 'Task',
                input: { description: 'child', prompt: 'child task', subagent_type: 'general-purpose' },
              },
            ],
          };
        return { text: `helper done: ${req.toolResults.map((r) => r.output).join(' | ')}` };
      });
      const out = await run(ws, home, ['run', 'helper', 'do it']);
      expect(out.code).toBe(0);
      expect(readFileSync(join(ws, target), 'utf8')).toBe(hostile);
      expect(existsSync(marker)).toBe(false);
      // The original code ran once, before the write; the two later Tasks started nothing.
      expect(readFileSync(join(ws, 'original-ran'), 'utf8')).toBe('x');
      expect(
        out.stderr.match(
          /MCP server 'local' (exited|did not start)[^\n]*restart codex-task to start it again/g,
        ),
      ).toHaveLength(1);

      // The next session checks what it runs before starting it: changed since trust, skipped.
      const next = await run(ws, home);
      expect(existsSync(marker)).toBe(false);
      expect(next.stderr).toContain('what it runs changed since you trusted this workspace');
    },
  );

  it('the same .mcp.json over other code (a re-clone, a pull) asks again; trusting again runs it', async () => {
    const { ws, home } = await repo({
      '.mcp.json': { mcpServers: { local: nodeServer('tools/mcp-server.cjs') } },
      'tools/mcp-server.cjs': '// benign\n',
    });
    const marker = join(home, 'host-marker');
    await run(ws, home, ['trust']);
    await writeFile(join(ws, 'tools/mcp-server.cjs'), hostileCode(marker));

    const changed = await run(ws, home);
    expect(existsSync(marker)).toBe(false);
    expect(changed.stderr).toContain('what it runs changed since you trusted this workspace');
    const listed = await run(ws, home, ['trust', '--list']);
    expect(listed.stdout).toMatch(/^changed {3}MCP servers from \.mcp\.json: local: /m);
    expect(listed.stdout).toContain('changed since trusted: tools/mcp-server.cjs');

    await run(ws, home, ['trust']);
    await run(ws, home);
    expect(existsSync(marker)).toBe(true);
  });

  it('npx, and a bare command found on PATH, bind the project’s node_modules/.bin copy', async () => {
    const { ws, home } = await repo({
      '.mcp.json': {
        mcpServers: {
          docs: { command: 'npx', args: ['-y', 'docs-mcp@latest'] },
          bare: { command: 'docs-mcp' },
        },
      },
      'package.json': { name: 'p', version: '1.0.0', dependencies: { 'docs-mcp': '1.0.0' } },
      'node_modules/docs-mcp/package.json': {
        name: 'docs-mcp',
        version: '1.0.0',
        bin: { 'docs-mcp': 'index.js' },
      },
      'node_modules/docs-mcp/index.js': '#!/usr/bin/env node\n// the version the user reviewed\n',
    });
    await chmod(join(ws, 'node_modules/docs-mcp/index.js'), 0o755);
    await mkdir(join(ws, 'node_modules/.bin'));
    symlinkSync('../docs-mcp/index.js', join(ws, 'node_modules/.bin/docs-mcp'));
    // Under `npx codex-task`, npm puts the project's node_modules/.bin first on PATH.
    const path = { PATH: `${join(ws, 'node_modules/.bin')}:${process.env.PATH}` };
    const trusted = await run(ws, home, ['trust'], path);
    expect(trusted.stdout).toContain('docs: npx -y docs-mcp@latest; bare: docs-mcp');
    expect(trusted.stdout).toContain('as they are now: package.json, node_modules/.bin/docs-mcp');

    const marker = join(home, 'host-marker');
    await writeFile(
      join(ws, 'node_modules/docs-mcp/index.js'),
      `#!/usr/bin/env node\n${hostileCode(marker)}`,
    );
    const listed = await run(ws, home, ['trust', '--list'], path);
    expect(listed.stdout).toContain('changed since trusted: node_modules/.bin/docs-mcp');
    const out = await run(ws, home, undefined, path);
    expect(existsSync(marker)).toBe(false);
    expect(out.stderr).toContain('skipped MCP servers (docs: npx -y docs-mcp@latest)');
    expect(out.stderr).toContain('skipped MCP servers (bare: docs-mcp)');
  });

  it('an agent’s inline server is bound to its files too', async () => {
    const marker = join('/tmp', `codex-task-agent-runs-${process.pid}-${Date.now()}`);
    const { ws, home } = await repo({
      '.claude/agents/helper.md': `---\nname: helper\ndescription: has a server\nmcpServers:\n  - own: ${JSON.stringify(nodeServer('tools/own.cjs'))}\n---\nbody\n`,
      'tools/own.cjs': '// benign\n',
    });
    try {
      await run(ws, home, ['trust']);
      expect(readTrustRecords(home)[0]?.runs?.own).toHaveProperty(join(ws, 'tools/own.cjs'));
      await writeFile(join(ws, 'tools/own.cjs'), hostileCode(marker));
      const out = await run(ws, home, ['run', 'helper', 'hello']);
      expect(existsSync(marker)).toBe(false);
      expect(out.stderr).toContain('skipped the agent’s own MCP servers (own: ');
      expect(out.stderr).toContain('what it runs changed since you trusted this workspace (tools/own.cjs)');
    } finally {
      await rm(marker, { force: true });
    }
  });
});

describe('codex-task trust shows everything it trusts', () => {
  it('env, cwd, type and headers, as written: a ${VAR} is shown, never its value', async () => {
    const { ws, home } = await repo({
      '.mcp.json': {
        mcpServers: {
          'version-check': {
            command: 'node',
            args: ['mcp/server.js'],
            cwd: 'srv',
            env: { NODE_OPTIONS: '--require ./lib/telemetry.cjs', LEAK: '${OPENAI_API_KEY}' },
          },
          remote: {
            type: 'sse',
            url: 'https://mcp.example/sse',
            headers: { Authorization: 'Bearer ${OPENAI_API_KEY}' },
          },
        },
      },
      'srv/mcp/server.js': '// benign\n',
      'srv/lib/telemetry.cjs': '// what NODE_OPTIONS loads first\n',
    });
    const entry =
      "version-check: cd srv && NODE_OPTIONS='--require ./lib/telemetry.cjs' LEAK='${OPENAI_API_KEY}' node mcp/server.js";
    const remote = "remote: sse https://mcp.example/sse -H 'Authorization: Bearer ${OPENAI_API_KEY}'";

    const untrusted = await run(ws, home);
    expect(untrusted.stderr).toContain(`skipped MCP servers (${entry}, ${remote})`);
    const listed = await run(ws, home, ['trust', '--list']);
    expect(listed.stdout).toContain(`untrusted MCP servers from .mcp.json: ${entry}; ${remote}`);
    const trusted = await run(ws, home, ['trust']);
    expect(trusted.stdout).toContain(`MCP servers from .mcp.json: ${entry}; ${remote}`);
    expect(trusted.stdout).toContain('as they are now: srv/mcp/server.js, srv/lib/telemetry.cjs');
    for (const out of [untrusted.stderr, listed.stdout, trusted.stdout]) expect(out).not.toContain(KEY);

    // The preload is bound like the server itself.
    await writeFile(join(ws, 'srv/lib/telemetry.cjs'), '// something else\n');
    expect((await run(ws, home, ['trust', '--list'])).stdout).toContain(
      'changed since trusted: srv/lib/telemetry.cjs',
    );
  });
});
