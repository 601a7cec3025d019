import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandDirectories, discoverSlashCommands, loadSlashCommands } from './discover-commands.ts';
import type { SlashCommandProblem } from './types.ts';

let root: string;
let home: string;
let repo: string;

async function put(files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-commands-')));
  home = join(root, 'home');
  repo = join(root, 'repo');
  await mkdir(join(repo, '.git'), { recursive: true });
  await mkdir(home, { recursive: true });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const summary = (cwd = repo) =>
  discoverSlashCommands({ cwd, homeDir: home }).commands.map((c) => `${c.name} ${c.source} ${c.body}`);

describe('discoverSlashCommands', () => {
  it('finds project, codexplus and user commands, project first on a name clash', async () => {
    await put({
      'repo/.claude/commands/review.md': 'project review',
      'repo/.codexplus/commands/review.md': 'codexplus review',
      'repo/.codexplus/commands/plan.md': 'codexplus plan',
      'home/.claude/commands/plan.md': 'user plan',
      'home/.claude/commands/mine.md': 'user mine',
    });
    expect(summary()).toEqual([
      'mine user user mine',
      'plan codexplus codexplus plan',
      'review project project review',
    ]);
    const review = discoverSlashCommands({ cwd: repo, homeDir: home }).commands.find(
      (c) => c.name === 'review',
    );
    expect(review?.path).toBe(join(repo, '.claude/commands/review.md'));
  });

  it('walks from cwd up to the repository root, nearest first, and no further', async () => {
    await put({
      '.claude/commands/outside.md': 'above the repository',
      'repo/.claude/commands/review.md': 'root review',
      'repo/.claude/commands/lint.md': 'root lint',
      'repo/pkg/app/.claude/commands/review.md': 'app review',
    });
    expect(summary(join(repo, 'pkg/app'))).toEqual(['lint project root lint', 'review project app review']);
    expect(commandDirectories({ cwd: join(repo, 'pkg/app'), homeDir: home }).map((d) => d.dir)).toEqual([
      join(repo, 'pkg/app/.claude/commands'),
      join(repo, '.claude/commands'),
    ]);
  });

  it('names commands in subfolders dir:name, nested folders joined with colons', async () => {
    await put({
      'repo/.claude/commands/frontend/component.md': 'c',
      'repo/.claude/commands/a/b/c.md': 'deep',
      'repo/.claude/commands/Upper.MD': 'upper',
      'repo/.claude/commands/notes.txt': 'not a command',
      'repo/.claude/commands/.hidden/x.md': 'hidden folders are skipped',
    });
    expect(summary()).toEqual(['Upper project upper', 'a:b:c project deep', 'frontend:component project c']);
  });

  it('keeps user commands user commands when the walk reaches the home directory', async () => {
    await put({ 'home/.claude/commands/mine.md': 'user mine' });
    const inHome = join(home, 'work');
    await mkdir(inHome);
    expect(summary(inHome)).toEqual(['mine user user mine']);
  });

  it('follows symlinked folders once', async () => {
    await put({ 'shared/cmds/shared.md': 'shared body' });
    await mkdir(join(repo, '.claude/commands'), { recursive: true });
    await symlink(join(root, 'shared/cmds'), join(repo, '.claude/commands/team'));
    await symlink(join(root, 'shared/cmds'), join(repo, '.claude/commands/again'));
    expect(summary()).toEqual(['again:shared project shared body']);
  });

  it('reports broken files by name and keeps loading the others', async () => {
    await put({
      'repo/.claude/commands/broken.md': '---\ndescription: x\n',
      'repo/.claude/commands/my command.md': 'spaces',
      'repo/.claude/commands/ok.md': 'fine',
      'repo/.claude/commands/secret.md': 'unreadable',
    });
    await chmod(join(repo, '.claude/commands/secret.md'), 0o000);
    const { commands, problems } = discoverSlashCommands({ cwd: repo, homeDir: home });
    const unreadable = process.getuid?.() !== 0; // root reads any file
    expect(commands.map((c) => c.name)).toEqual(unreadable ? ['ok'] : ['ok', 'secret']);
    expect(problems.map((p) => [p.file.slice(repo.length + 1), p.message])).toEqual([
      ['.claude/commands/broken.md', 'the frontmatter is never closed; command skipped'],
      ['.claude/commands/my command.md', expect.stringMatching(/contains white space/)],
      ...(unreadable
        ? [['.claude/commands/secret.md', 'cannot read the command file (EACCES); skipped']]
        : []),
    ]);
  });

  it('returns nothing, without throwing, when there are no command folders', () => {
    expect(discoverSlashCommands({ cwd: join(repo, 'missing'), homeDir: join(root, 'nohome') })).toEqual({
      commands: [],
      problems: [],
    });
  });
});

describe('loadSlashCommands', () => {
  it('hands problems to onProblem and still returns the good commands', async () => {
    await put({ 'repo/.claude/commands/bad.md': '---\nmodel: x\n', 'repo/.claude/commands/good.md': 'g' });
    const seen: SlashCommandProblem[] = [];
    const commands = loadSlashCommands({ cwd: repo, homeDir: home, onProblem: (p) => seen.push(p) });
    expect(commands.map((c) => c.name)).toEqual(['good']);
    expect(seen).toEqual([expect.objectContaining({ file: join(repo, '.claude/commands/bad.md') })]);
  });

  it('emits each problem once as a process warning by default', async () => {
    await put({ 'repo/.claude/commands/bad.md': '---\nmodel: x\n' });
    const warnings: string[] = [];
    const listener = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', listener);
    try {
      loadSlashCommands({ cwd: repo, homeDir: home });
      loadSlashCommands({ cwd: repo, homeDir: home });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', listener);
    }
    expect(warnings).toEqual([
      expect.stringMatching(
        /^SlashCommandWarning: .*bad\.md:1: the frontmatter is never closed; command skipped/,
      ),
    ]);
  });
});
