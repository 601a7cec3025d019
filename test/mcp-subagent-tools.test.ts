import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskEvents } from '../src/engine/index.ts';
import { McpClientPool } from '../src/mcp-client/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { agentFile, useHarness } from './support.ts';

// A subagent calling tools of a stdio MCP server from the project's .mcp.json, through the engine
// and the scripted model; and the same server's tool refused when the agent file disallows it.
const h = useHarness();
const NOTES_SERVER = fileURLToPath(new URL('./fixtures/mcp-notes-server.ts', import.meta.url));
let pool: McpClientPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

function script(req: ScriptedRequest) {
  const first = req.turn === 0;
  if (req.system.includes('AGENT:note-reader')) {
    return first
      ? { toolCalls: [{ name: 'mcp__notes__read_note', input: { name: 'todo' } }] }
      : { text: `note says: ${req.toolResults[0]?.output}` };
  }
  if (req.system.includes('AGENT:careful')) {
    return first
      ? { toolCalls: [{ name: 'mcp__notes__delete_note', input: { name: 'todo' } }] }
      : {
          text: `delete refused: ${req.toolResults[0]?.output.includes('unavailable') || req.toolResults[0]?.output}`,
        };
  }
  return { text: 'ok' };
}

async function setup() {
  await h.setup(
    {
      'notes/todo.txt': 'buy milk',
      '.mcp.json': JSON.stringify({
        mcpServers: { notes: { command: process.execPath, args: [NOTES_SERVER] } },
      }),
      '.claude/agents/note-reader.md': agentFile(
        { name: 'note-reader', description: 'Reads notes', tools: 'mcp__notes__read_note' },
        'AGENT:note-reader',
      ),
      '.claude/agents/careful.md': agentFile(
        {
          name: 'careful',
          description: 'Never deletes',
          tools: 'mcp__notes__*',
          disallowedTools: 'mcp__notes__delete_note',
        },
        'AGENT:careful',
      ),
    },
    script,
  );
  // Trust is tested in mcp-trust.test.ts; here the workspace opts in.
  pool = new McpClientPool({ env: { CODEX_TASK_TRUST_WORKSPACE: '1' } });
  return h.engine({ toolProvider: pool });
}

const log = () =>
  existsSync(join(h.workspace, 'mcp-notes.log'))
    ? readFileSync(join(h.workspace, 'mcp-notes.log'), 'utf8')
    : '';

describe('subagents using MCP tools through the engine', () => {
  it('runs a tool of a stdio server declared in .mcp.json', async () => {
    const engine = await setup();
    const result = await engine.run({
      description: 'read',
      prompt: 'read the todo note',
      subagent_type: 'note-reader',
    });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.content).toBe('note says: buy milk');
    expect(result.toolStats.mcp__notes__read_note).toMatchObject({ calls: 1, errors: 0, denied: 0 });
    expect(log()).toContain('call read_note {"name":"todo"}');
  });

  it('refuses a disallowed MCP tool before it reaches the server', async () => {
    const engine = await setup();
    const refused: TaskEvents['task.tool'][0][] = [];
    engine.events.on('task.tool', (e) => e.denied && refused.push(e));
    const result = await engine.run({
      description: 'delete',
      prompt: 'delete the todo note',
      subagent_type: 'careful',
    });
    expect(result.status).toBe('completed');
    expect(result.toolStats.mcp__notes__delete_note).toMatchObject({ denied: 1 });
    expect(refused.map((e) => e.name)).toEqual(['mcp__notes__delete_note']);
    expect(log()).not.toContain('call delete_note');
    expect(existsSync(join(h.workspace, 'notes/todo.txt'))).toBe(true);
  });
});
