import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from './cli-support.ts';
import { makeWorkspace } from './support.ts';

let root: string | undefined;

afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function workspace(): Promise<{ repo: string; home: string }> {
  root = await makeWorkspace({
    'repo/.git/HEAD': 'ref: refs/heads/main\n',
    'repo/.claude/commands/review.md':
      '---\ndescription: Review files\nargument-hint: [paths...]\nmodel: haiku\nallowed-tools: Read, Grep\n---\nReview $ARGUMENTS.\n',
    'repo/.claude/commands/frontend/component.md': 'Make a component named $1.',
    'repo/.claude/commands/broken.md': '---\ndescription: never closed\n',
    'repo/.codexplus/commands/plan.md': '---\ndescription: Plan it\n---\nPlan.',
    'home/.claude/commands/review.md': 'the user review, shadowed',
    'home/.claude/commands/mine.md': 'Mine.',
  });
  await mkdir(join(root, 'repo/src'));
  await writeFile(join(root, 'repo/src/x.ts'), '');
  return { repo: join(root, 'repo'), home: join(root, 'home') };
}

const listing = z.object({
  commands: z.array(
    z.object({
      name: z.string(),
      source: z.enum(['project', 'codexplus', 'user']),
      description: z.string().nullable(),
      argumentHint: z.string().nullable(),
      model: z.string().nullable(),
      allowedTools: z.array(z.string()).nullable(),
      path: z.string(),
      body: z.string(),
    }),
  ),
  problems: z.array(z.object({ file: z.string(), message: z.string() })),
});

describe('codex-task commands list', () => {
  it('prints each command with its usage, source, description and model, and warns about broken files', async () => {
    const { repo, home } = await workspace();
    const run = await runCli(['commands', 'list'], { cwd: join(repo, 'src'), env: { HOME: home } });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        `/frontend:component  (project: ${join(repo, '.claude/commands/frontend/component.md')})`,
        `/mine  (user: ${join(home, '.claude/commands/mine.md')})`,
        `/plan  (codexplus: ${join(repo, '.codexplus/commands/plan.md')})`,
        '  Plan it',
        `/review [paths...]  (project: ${join(repo, '.claude/commands/review.md')})`,
        '  Review files',
        '  model: haiku',
        '  allowed-tools: Read, Grep',
        '',
      ].join('\n'),
    );
    expect(run.stderr).toContain(
      `warning ${join(repo, '.claude/commands/broken.md')}:1: the frontmatter is never closed`,
    );
  });

  it('prints { commands, problems } with --json, relative to --cwd', async () => {
    const { repo, home } = await workspace();
    const run = await runCli(['commands', 'list', '--json', '--cwd', repo], {
      cwd: home,
      env: { HOME: home },
    });
    expect(run.code).toBe(0);
    const out = listing.parse(JSON.parse(run.stdout));
    expect(out.commands.map((c) => [c.name, c.source])).toEqual([
      ['frontend:component', 'project'],
      ['mine', 'user'],
      ['plan', 'codexplus'],
      ['review', 'project'],
    ]);
    expect(out.commands.find((c) => c.name === 'review')).toEqual({
      name: 'review',
      source: 'project',
      description: 'Review files',
      argumentHint: '[paths...]',
      model: 'haiku',
      allowedTools: ['Read', 'Grep'],
      path: join(repo, '.claude/commands/review.md'),
      body: 'Review $ARGUMENTS.',
    });
    expect(out.problems).toEqual([
      expect.objectContaining({ file: join(repo, '.claude/commands/broken.md') }),
    ]);
  });

  it('says how to add one when there are none', async () => {
    root = await makeWorkspace();
    const run = await runCli(['commands', 'list'], { cwd: root, env: { HOME: root } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^No slash commands here\. Add one as \.claude\/commands\/<name>\.md/);
  });
});
