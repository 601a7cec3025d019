import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentFileChange, AgentRegistry } from './index.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const agent = (name: string, description = `${name} agent`) =>
  `---\nname: ${name}\ndescription: ${description}\n---\nYou are ${name}.\n`;

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'codex-task-changes-'));
  roots.push(root);
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, '.claude/agents'), { recursive: true });
  const file = (rel: string) => join(root, '.claude/agents', rel);
  writeFileSync(file('one.md'), agent('one'));
  writeFileSync(file('two.md'), agent('two'));
  const registry = new AgentRegistry({ cwd: root, homeDir: join(root, 'nohome'), rescanIntervalMs: 0 });
  const changes: AgentFileChange[] = [];
  registry.onChange((c) => changes.push(c));
  return { registry, file, changes };
}

describe('AgentRegistry.onChange', () => {
  it('reports added, modified and removed files that a rescan picks up, not the first load', () => {
    const { registry, file, changes } = setup();
    registry.list();
    expect(changes).toEqual([]);

    writeFileSync(file('one.md'), agent('one', 'edited'));
    writeFileSync(file('three.md'), agent('three'));
    unlinkSync(file('two.md'));
    // The listener runs after the new definitions are in place.
    const seenByListener: string[][] = [];
    registry.onChange(() => seenByListener.push(registry.list().map((a) => a.name)));
    registry.list();

    const byFile = Object.fromEntries(changes.map((c) => [c.file, c]));
    expect(byFile[file('one.md')]).toMatchObject({ change: 'modified', name: 'one', scope: 'project' });
    expect(byFile[file('one.md')]!.hash).toBe(registry.get('one').hash);
    expect(byFile[file('three.md')]).toMatchObject({ change: 'added', name: 'three', errors: [] });
    expect(byFile[file('two.md')]).toMatchObject({ change: 'removed', scope: 'project' });
    expect(changes).toHaveLength(3);
    expect(seenByListener[0]).toContain('three');
  });

  it('reports a file that stops loading with its errors, and ignores a touch without edits', () => {
    const { registry, file, changes } = setup();
    registry.list();
    const later = new Date(Date.now() + 5_000);
    utimesSync(file('two.md'), later, later);
    registry.list();
    expect(changes).toEqual([]);

    writeFileSync(file('one.md'), '---\nname: one\n---\nno description\n');
    registry.list();
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ change: 'modified' });
    expect(changes[0]!.name).toBeUndefined();
    expect(changes[0]!.errors[0]!.field).toBe('description');
  });

  it('stops calling a listener once unsubscribed', () => {
    const { registry, file } = setup();
    registry.list();
    const seen: AgentFileChange[] = [];
    const off = registry.onChange((c) => seen.push(c));
    off();
    writeFileSync(file('four.md'), agent('four'));
    registry.list();
    expect(seen).toEqual([]);
  });
});
