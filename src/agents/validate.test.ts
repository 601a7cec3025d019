import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeReport, validateAgentPaths } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'codex-task-validate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, contents: string): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, contents);
  return path;
}

const agent = (name: string, extra = '') =>
  `---\nname: ${name}\ndescription: ${name} agent\n${extra}---\nBody.\n`;

write('agents/good.md', agent('good'));
write('agents/nested/warned.md', agent('warned', 'tools: Read, Serch\n'));
write('agents/nested/broken.md', '---\nname: Broken Name\ntools: Read\n---\nBody.\n');
write('agents/no-yaml.md', 'just text\n');
write('agents/README.md', '# A collection of agents\n');
write('agents/dup-a.md', agent('dup'));
write('agents/dup-b.md', agent('dup'));
write('agents/notes.txt', 'not an agent');
const single = write('elsewhere/dup.markdown', agent('dup'));

describe('validateAgentPaths', () => {
  it('reports every file, agent, error and warning in one plain-JSON report', async () => {
    const dir = join(root, 'agents');
    const missing = join(root, 'missing');
    const report = await validateAgentPaths([dir, single, missing]);

    expect(Object.keys(report)).toEqual(['files', 'agents', 'errors', 'warnings']);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report.files).toEqual([
      join(dir, 'README.md'),
      join(dir, 'dup-a.md'),
      join(dir, 'dup-b.md'),
      join(dir, 'good.md'),
      join(dir, 'nested/broken.md'),
      join(dir, 'nested/warned.md'),
      join(dir, 'no-yaml.md'),
      single,
    ]);
    expect(report.agents).toEqual(['dup', 'dup', 'good', 'warned', 'dup']);

    expect(report.errors.map((p) => [p.file, p.line, p.field])).toEqual([
      [join(dir, 'nested/broken.md'), 1, 'description'],
      [join(dir, 'nested/broken.md'), 2, 'name'],
      [join(dir, 'no-yaml.md'), 1, undefined],
      [missing, undefined, undefined],
    ]);
    expect(report.errors[3]).toMatchObject({ message: 'no such file or directory' });
    expect(report.errors.every((p) => p.severity === 'error' && p.hint)).toBe(true);

    expect(report.warnings).toEqual([
      expect.objectContaining({
        file: join(dir, 'nested/warned.md'),
        line: 4,
        field: 'tools',
        message: 'unknown tool `Serch`; dropped',
      }),
      expect.objectContaining({ file: join(dir, 'dup-b.md'), field: 'name', severity: 'warning' }),
    ]);
    expect(report.warnings[1]!.message).toContain(join(dir, 'dup-a.md'));
  });

  it('counts a warning that fails validation (`allowed-tools:`) as an error, in the report itself', async () => {
    const lax = write('lax/lax.md', agent('lax', 'allowed-tools: Read\n'));
    const report = await validateAgentPaths([lax]);
    expect(report.agents).toEqual(['lax']);
    expect(report.warnings).toEqual([]);
    expect(report.errors).toEqual([
      expect.objectContaining({ severity: 'error', failsValidation: true, field: 'allowed-tools' }),
    ]);
    expect(summarizeReport(report)).toBe('1 file(s), 1 valid agent(s), 1 error(s), 0 warning(s)');
  });

  it('returns an empty report for an empty directory', async () => {
    mkdirSync(join(root, 'empty'));
    expect(await validateAgentPaths([join(root, 'empty')])).toEqual({
      files: [],
      agents: [],
      errors: [],
      warnings: [],
    });
  });
});
