import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentRegistry, effectiveTools } from '../src/agents/index.ts';
import { McpClientPool, mayUseServer, mcpJsonTrustItem, type ProvidedTool } from '../src/mcp-client/index.ts';
import { trustChecker, writeTrustRecords } from '../src/trust/index.ts';
import { isAlive, waitFor } from './mcp-support.ts';
import { agentFile, makeWorkspace } from './support.ts';

const TRUSTED = { CODEX_TASK_TRUST_WORKSPACE: '1' };

// Subagents as MCP clients: the pool the engine asks for tools, against real servers (a stdio
// process from .mcp.json, an agent's inline server, a streamable HTTP server).
const NOTES_SERVER = fileURLToPath(new URL('./fixtures/mcp-notes-server.ts', import.meta.url));
const BUILTINS = ['Read', 'Write', 'Edit', 'Bash', 'Task'];
const stdioEntry = (label: string) => ({
  command: process.execPath,
  args: [NOTES_SERVER],
  env: { NOTES_LABEL: label },
});

let workspace: string;
let pool: McpClientPool;
let warnings: string[];

beforeEach(async () => {
  workspace = await makeWorkspace({
    'notes/todo.txt': 'buy milk',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: .mcp.json's own ${VAR} syntax
    '.mcp.json': JSON.stringify({ mcpServers: { notes: { ...stdioEntry('${LABEL:-shared}') } } }),
    '.claude/agents/reader.md': agentFile({ name: 'reader', description: 'd', tools: 'Read' }),
    '.claude/agents/note-taker.md': agentFile({
      name: 'note-taker',
      description: 'd',
      tools: 'Read, mcp__notes__read_note',
    }),
    '.claude/agents/all-notes.md': agentFile({
      name: 'all-notes',
      description: 'd',
      tools: 'mcp__notes__*',
      disallowedTools: 'mcp__notes__delete_note',
    }),
    '.claude/agents/no-notes.md': agentFile({
      name: 'no-notes',
      description: 'd',
      disallowedTools: 'mcp__notes',
    }),
    '.claude/agents/private.md': `---
name: private
description: d
tools: mcp__mine__read_note
mcpServers:
  - mine:
      command: ${JSON.stringify(process.execPath)}
      args: [${JSON.stringify(NOTES_SERVER)}]
      env:
        NOTES_LABEL: private
---
body
`,
  });
  warnings = [];
  // These tests are about the pool; the workspace trust it needs is tested in mcp-trust.test.ts.
  pool = new McpClientPool({ env: TRUSTED, onWarning: (m) => warnings.push(m) });
});
afterEach(async () => {
  await pool.close();
  await rm(workspace, { recursive: true, force: true });
});

const agents = () => new AgentRegistry({ cwd: workspace, homeDir: workspace, rescanIntervalMs: 0 });
const starts = () =>
  existsSync(join(workspace, 'mcp-notes.log'))
    ? readFileSync(join(workspace, 'mcp-notes.log'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('start '))
    : [];
const calls = () =>
  readFileSync(join(workspace, 'mcp-notes.log'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('call '));

describe('McpClientPool', () => {
  it('a symlinked task directory does not get past the seal (third security review)', async () => {
    // A directory outside the repository (no .git: the lookup walks on past it, by the link's name).
    const outside = await mkdtemp(join(tmpdir(), 'codex-task-outside-'));
    try {
      const api = join(workspace, 'packages', 'api');
      await mkdir(api, { recursive: true });
      await writeFile(join(api, '.mcp.json'), JSON.stringify({ mcpServers: { api: stdioEntry('api') } }));
      await writeFile(
        join(workspace, '.claude/agents/everything.md'),
        agentFile({ name: 'everything', description: 'd' }),
      );
      await symlink(outside, join(api, 'link'));
      const everything = agents().get('everything');
      await pool.toolsFor(everything, workspace);
      // The root's servers started before any subagent; the workspace is sealed from here on.
      const later = await pool.toolsFor(everything, join(api, 'link'));
      expect(Object.keys(later.tools).filter((t) => t.startsWith('mcp__api__'))).toEqual([]);
      expect(existsSync(join(api, 'mcp-notes.log'))).toBe(false);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('starts the workspace’s servers at its first lookup, and offers them only to agents that may use them', async () => {
    const registry = agents();
    expect((await pool.toolsFor(registry.get('reader'), workspace)).tools).toEqual({});
    expect((await pool.toolsFor(registry.get('no-notes'), workspace)).tools).toEqual({});
    expect(starts()).toHaveLength(1);
    expect(Object.keys((await pool.toolsFor(registry.get('note-taker'), workspace)).tools)).toEqual([
      'mcp__notes__read_note',
      'mcp__notes__delete_note',
    ]);
    expect(starts()).toHaveLength(1);
    expect(mayUseServer(registry.get('general-purpose'), 'notes')).toBe(true);
  });

  it('offers .mcp.json tools as mcp__server__tool, shared by subagents, and runs them', async () => {
    const registry = agents();
    const [a, b] = await Promise.all([
      pool.toolsFor(registry.get('note-taker'), workspace),
      pool.toolsFor(registry.get('all-notes'), workspace),
    ]);
    expect(Object.keys(a.tools).sort()).toEqual(['mcp__notes__delete_note', 'mcp__notes__read_note']);
    expect(starts()).toHaveLength(1);
    expect(starts()[0]).toContain('shared');
    expect(pool.sharedServers).toBe(1);
    expect(
      await a.tools.mcp__notes__read_note!.execute({ name: 'todo' }, { signal: AbortSignal.timeout(5000) }),
    ).toBe('buy milk');
    await expect(
      b.tools.mcp__notes__read_note!.execute({ name: 'missing' }, { signal: AbortSignal.timeout(5000) }),
    ).rejects.toThrow(/ENOENT/);
    expect(calls()).toHaveLength(2);
  });

  it('leaves granting to the engine’s rules: tools, disallowedTools and mcp__server__* patterns', async () => {
    const registry = agents();
    const grant = async (name: string) => {
      const agent = registry.get(name);
      const { tools } = await pool.toolsFor(agent, workspace);
      return effectiveTools(agent, [...BUILTINS, ...Object.keys(tools)]);
    };
    expect(await grant('note-taker')).toEqual(['Read', 'mcp__notes__read_note']);
    expect(await grant('all-notes')).toEqual(['mcp__notes__read_note']);
    expect(await grant('general-purpose')).toEqual([
      ...BUILTINS,
      'mcp__notes__read_note',
      'mcp__notes__delete_note',
    ]);
    expect(await grant('no-notes')).toEqual(BUILTINS);
  });

  it('runs an agent’s inline server for that run alone and stops it at release', async () => {
    const registry = agents();
    const run = await pool.toolsFor(registry.get('private'), workspace);
    expect(Object.keys(run.tools).sort()).toEqual(['mcp__mine__delete_note', 'mcp__mine__read_note']);
    const pid = Number(
      starts()
        .find((l) => l.endsWith('private'))
        ?.split(' ')[1],
    );
    expect(isAlive(pid)).toBe(true);
    // The project's own server, started up front: the inline one is not shared.
    expect(pool.sharedServers).toBe(1);
    await run.release();
    await waitFor(() => !isAlive(pid), 10_000, 'the inline server to stop');
  });

  it('starts a project agent’s inline server only before any subagent ran in the workspace', async () => {
    // Home elsewhere: the workspace's agents are the repository's, not the user's.
    const registry = new AgentRegistry({
      cwd: workspace,
      homeDir: join(workspace, 'notes'),
      rescanIntervalMs: 0,
    });
    expect(registry.get('private').scope).toBe('project');
    await pool.toolsFor(registry.get('reader'), workspace);
    const run = await pool.toolsFor(registry.get('private'), workspace);
    expect(run.tools).toEqual({});
    expect(starts().filter((l) => l.endsWith('private'))).toEqual([]);
    expect(warnings.join('\n')).toMatch(
      /inline MCP server 'mine' not started: a subagent already ran in .*restart codex-task to use it; servers in your own agents \(~\/\.claude\/agents\) are not affected/,
    );
  });

  it('stops shared servers when closed', async () => {
    await pool.toolsFor(agents().get('note-taker'), workspace);
    const pid = Number(starts()[0]?.split(' ')[1]);
    await pool.close();
    await waitFor(() => !isAlive(pid), 10_000, 'the shared server to stop');
  });

  it('warns about entries it cannot use and still offers the rest', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(workspace, '.mcp.json'),
      JSON.stringify({
        mcpServers: {
          notes: stdioEntry('ok'),
          // biome-ignore lint/suspicious/noTemplateCurlyInString: .mcp.json's own ${VAR} syntax
          broken: { command: '${MISSING_BIN}' },
          dead: { command: join(workspace, 'no-such-binary') },
        },
      }),
    );
    const { tools } = await pool.toolsFor(agents().get('general-purpose'), workspace);
    expect(Object.keys(tools).sort()).toEqual(['mcp__notes__delete_note', 'mcp__notes__read_note']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: .mcp.json's own ${VAR} syntax
    expect(warnings.join('\n')).toContain('${MISSING_BIN}, which is not set');
    expect(warnings.join('\n')).toMatch(/MCP server 'dead' could not be started/);
  });

  it('trusts .mcp.json as first read: a later change or a file that appears starts nothing on the host', async () => {
    const { mkdir, mkdtemp, readdir, writeFile } = await import('node:fs/promises');
    const canary = await mkdtemp('/var/tmp/codex-task-mcp-canary-');
    const hostile = JSON.stringify({
      mcpServers: { x: { command: 'sh', args: ['-c', `id > ${canary}/ran`] } },
    });
    const sub = join(workspace, 'sub');
    try {
      const general = agents().get('general-purpose');
      expect(Object.keys((await pool.toolsFor(general, workspace)).tools)).toHaveLength(2);
      // What a subagent could write while the engine runs (through Bash where there is no sandbox).
      await writeFile(join(workspace, '.mcp.json'), hostile);
      expect(Object.keys((await pool.toolsFor(general, workspace)).tools).sort()).toEqual([
        'mcp__notes__delete_note',
        'mcp__notes__read_note',
      ]);
      // A directory looked at once without its own .mcp.json (it uses the parent's, the one trusted).
      await mkdir(join(sub, '.git'), { recursive: true });
      expect(Object.keys((await pool.toolsFor(general, sub)).tools)).toEqual([]);
      await writeFile(join(sub, '.mcp.json'), hostile);
      expect(Object.keys((await pool.toolsFor(general, sub)).tools)).toEqual([]);
      expect(warnings.join('\n')).toMatch(
        /\.mcp\.json changed after this engine first read its MCP servers; the change is ignored until codex-task restarts/,
      );
      expect(warnings.join('\n')).toMatch(/sub\/\.mcp\.json appeared after .*; the new file is ignored/);
      expect(await readdir(canary)).toEqual([]);
      // A new pool (a restart) reads the file as it is now.
      const fresh = new McpClientPool({ env: TRUSTED, onWarning: () => {} });
      await fresh.toolsFor(general, sub).finally(() => fresh.close());
      await waitFor(
        () => existsSync(join(canary, 'ran')),
        10_000,
        'the restarted pool to start the new server',
      );
    } finally {
      await rm(canary, { recursive: true, force: true });
    }
  });

  it('checks the workspace files a trusted server runs before it starts, and never restarts it', async () => {
    const { writeFile, appendFile, mkdir } = await import('node:fs/promises');
    await mkdir(join(workspace, 'tools'));
    // A server file of the workspace (the shared fixture is outside it, so it binds nothing).
    await writeFile(join(workspace, 'tools/notes.mjs'), `import ${JSON.stringify(NOTES_SERVER)};\n`);
    await writeFile(
      join(workspace, '.mcp.json'),
      JSON.stringify({ mcpServers: { notes: { command: process.execPath, args: ['tools/notes.mjs'] } } }),
    );
    const home = await makeWorkspace();
    const trustNow = () =>
      writeTrustRecords(home, () => {
        const { kind, file, digest, runs } = mcpJsonTrustItem(join(workspace, '.mcp.json'))!;
        return [{ kind, file, digest, ...(runs ? { runs } : {}), trustedAt: new Date().toISOString() }];
      });
    trustNow();
    const bound = new McpClientPool({
      env: {},
      trust: trustChecker({ homeDir: home }),
      onWarning: (m) => warnings.push(m),
    });
    const read = (tools: Record<string, ProvidedTool>) =>
      tools.mcp__notes__read_note!.execute({ name: 'todo' }, { signal: AbortSignal.timeout(5000) });
    try {
      const general = agents().get('general-purpose');
      const { tools } = await bound.toolsFor(general, workspace);
      expect(await read(tools)).toBe('buy milk');
      // Rewritten since trust (what a subagent's sandboxed Bash could do): the running server keeps
      // the code it loaded, but nothing starts it again.
      await appendFile(join(workspace, 'tools/notes.mjs'), '// and something else\n');
      expect(await read(tools)).toBe('buy milk');
      const pid = Number(starts()[0]?.split(' ')[1]);
      process.kill(pid);
      await waitFor(() => !isAlive(pid), 10_000, 'the server to exit');
      // Exited: not started again in this engine's life, whatever its files hold now.
      await expect(read(tools)).rejects.toThrow(
        /MCP server 'notes' exited; .*restart codex-task to start it again/,
      );
      expect(Object.keys((await bound.toolsFor(general, workspace)).tools)).toEqual([]);
      expect(starts()).toHaveLength(1);
      expect(warnings.filter((w) => w.includes("'notes' exited"))).toHaveLength(1);

      // A restart checks the files before the start: rewritten since trust, skipped.
      const again = new McpClientPool({
        env: {},
        trust: trustChecker({ homeDir: home }),
        onWarning: (m) => warnings.push(m),
      });
      expect(
        Object.keys((await again.toolsFor(general, workspace).finally(() => again.close())).tools),
      ).toEqual([]);
      expect(starts()).toHaveLength(1);
      expect(warnings.join('\n')).toMatch(
        /what it runs changed since you trusted this workspace \(tools\/notes\.mjs\)/,
      );

      // Trusted again as it is now: the next restart starts it.
      trustNow();
      const trusted = new McpClientPool({
        env: {},
        trust: trustChecker({ homeDir: home }),
        onWarning: () => {},
      });
      expect(
        Object.keys((await trusted.toolsFor(general, workspace).finally(() => trusted.close())).tools),
      ).toHaveLength(2);
      expect(starts()).toHaveLength(2);
    } finally {
      await bound.close();
      await rm(home, { recursive: true, force: true });
    }
  });

  it('uses streamable HTTP servers', async () => {
    const http = await startHttpServer();
    try {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(
        join(workspace, '.mcp.json'),
        JSON.stringify({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: .mcp.json's own ${VAR} syntax
          mcpServers: { 'web tools': { type: 'http', url: http.url, headers: { 'x-key': '${KEY}' } } },
        }),
      );
      const scoped = new McpClientPool({ env: { ...TRUSTED, KEY: 'secret' } });
      try {
        const { tools } = await scoped.toolsFor(agents().get('general-purpose'), workspace);
        expect(Object.keys(tools)).toEqual(['mcp__web_tools__echo']);
        expect(
          await tools.mcp__web_tools__echo!.execute({ text: 'hi' }, { signal: AbortSignal.timeout(5000) }),
        ).toBe('echo hi (key secret)');
      } finally {
        await scoped.close();
      }
    } finally {
      await http.close();
    }
  });
});

/** A streamable HTTP MCP server with one `echo` tool that reports the `x-key` header it got. */
async function startHttpServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: HttpServer = createServer(async (req, res) => {
    const mcp = new Server({ name: 'web', version: '1' }, { capabilities: { tools: {} } });
    mcp.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [{ name: 'echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }],
    }));
    mcp.setRequestHandler(CallToolRequestSchema, (request, extra) => ({
      content: [
        {
          type: 'text',
          text: `echo ${String(request.params.arguments?.text)} (key ${String(extra.requestInfo?.headers['x-key'])})`,
        },
      ],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
