import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RunStore } from '../src/store/index.ts';
import { makeWorkspace } from './support.ts';

describe('run records survive a crash', () => {
  it('keeps the steps of a task whose process is killed with SIGKILL, and marks it interrupted', async () => {
    const workspace = await makeWorkspace({ 'a.txt': 'contents of a' });
    const db = join(workspace, 'runs.db');
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'fixtures/crash-child.ts'), db, workspace],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    onTestFinished(() => {
      child.kill('SIGKILL');
    });
    const lines = createInterface({ input: child.stdout! });
    const taskId = await new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => line.startsWith('READY ') && resolve(line.slice(6)));
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });

    // While the writer lives, another process must leave its task alone.
    const observer = new RunStore({ path: db });
    expect(observer.markInterrupted()).toEqual([]);
    expect(observer.get(taskId)!.status).toBe('running');

    child.kill('SIGKILL');
    await exited;

    // "After restart": any process opening the store finds the dead writer's task.
    const store = new RunStore({ path: db });
    expect(store.markInterrupted()).toEqual([taskId]);
    const record = store.get(taskId)!;
    expect(record).toMatchObject({
      status: 'interrupted',
      description: 'crash me',
      input: { prompt: 'read a.txt then think forever' },
      turns: 1,
      toolUses: 1,
      error: { type: 'TaskInterrupted' },
    });
    expect(record.finishedAt).toBeGreaterThanOrEqual(record.startedAt!);
    const steps = store.steps(taskId);
    expect(steps.map((s) => `${s.kind}:${s.name ?? ''}`)).toEqual([
      'tool_call:Read',
      'tool_result:Read',
      'turn:',
    ]);
    expect(steps[1]!.data.output).toContain('contents of a');
    expect(steps[2]!.data.text).toBe('reading first');
    observer.close();
    store.close();
  });
});
