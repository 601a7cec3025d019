import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentPolicy, loadPermissionPolicy, PermissionConfigError, projectAllowTrustItems } from './index.ts';

/** Claude Code settings files as users write them, mistakes included: what the policy makes of them. */
let home: string;
let ws: string;

beforeEach(async () => {
  const base = await realpath(await mkdtemp(path.join(tmpdir(), 'codex-task-settings-')));
  home = path.join(base, 'home');
  ws = path.join(base, 'ws');
  await mkdir(path.join(ws, '.git'), { recursive: true });
  await mkdir(home, { recursive: true });
});
afterEach(() => rm(path.dirname(home), { recursive: true, force: true }));

async function write(file: string, content: object | string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const projectSettings = (permissions: object, name = 'settings.json') =>
  write(path.join(ws, '.claude', name), { permissions });

const SPECIFIERS =
  'specifiers are understood for Bash, Read, Edit (and Write, MultiEdit, Grep, Glob, LS), WebFetch(domain:…) and Task/Agent.';

describe('malformed rules in a Claude settings file', () => {
  it('each gets a warning with its fix; deny rules widen to their whole tool, allow rules are dropped', async () => {
    const file = await projectSettings({
      allow: ['mcp__bad server', 'Not a name!', 'Read()', 'Foo(x)', 'Bash(*)'],
      deny: ['WebSearch(foo)', 'Foo(x)', 'Task()'],
    });
    const loaded = loadPermissionPolicy({ cwd: ws, homeDir: home });
    expect(loaded.warnings).toEqual([
      `${file}: deny rule \`WebSearch(foo)\`: \`WebSearch\` takes no specifier; applied to the whole WebSearch tool instead (Write \`WebSearch\` for the whole tool.)`,
      `${file}: deny rule \`Foo(x)\`: \`Foo(…)\`: codex-task cannot match a specifier for \`Foo\`; applied to the whole Foo tool instead (Write \`Foo\` for the whole tool; ${SPECIFIERS})`,
      `${file}: deny rule \`Task()\`: \`Task()\` has an empty specifier; applied to the whole Task tool instead (Write \`Task\` for the whole tool.)`,
      `${file}: allow rule \`mcp__bad server\` ignored: \`mcp__bad server\` is not an MCP rule (Write \`mcp__<server>\`, \`mcp__<server>__<tool>\` or \`mcp__<server>__*\` (no parentheses).)`,
      `${file}: allow rule \`Not a name!\` ignored: \`Not a name!\` is not a tool name (Write e.g. \`Read\`, \`Bash\` or \`WebFetch\`.)`,
      `${file}: allow rule \`Read()\` ignored: \`Read()\` has an empty specifier (Write \`Read\` for the whole tool.)`,
      `${file}: allow rule \`Foo(x)\` ignored: \`Foo(…)\`: codex-task cannot match a specifier for \`Foo\` (Write \`Foo\` for the whole tool; ${SPECIFIERS})`,
    ]);
    expect(loaded.sources).toEqual([{ file, rules: 4 }]);
    const p = agentPolicy(loaded, { name: 'a' }, ws);
    expect(await p.check('WebSearch', { query: 'x' })).toMatchObject({
      decision: 'denied',
      rule: 'WebSearch(foo)',
    });
    expect(await p.check('Task', { subagent_type: 'any' })).toMatchObject({
      decision: 'denied',
      rule: 'Task()',
    });
    expect(await p.check('Foo', {})).toMatchObject({ decision: 'denied', rule: 'Foo(x)' });
    // `Bash(*)` is the whole tool, as in Claude Code.
    expect(await p.check('Bash', { command: 'anything --at all' })).toMatchObject({
      decision: 'allowed',
      rule: 'Bash(*)',
    });
  });

  it('a `permissions` of the wrong shape is an error naming the file and the field', async () => {
    const file = await projectSettings({ allow: 'Bash' });
    let error: unknown;
    try {
      loadPermissionPolicy({ cwd: ws, homeDir: home });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PermissionConfigError);
    expect((error as PermissionConfigError).message.startsWith(`${file}: \`permissions.allow\`: `)).toBe(
      true,
    );
    expect((error as PermissionConfigError).details).toEqual({ file, field: 'permissions.allow' });
    expect((error as PermissionConfigError).hint).toContain('permissions.claudeSettings: false');
  });
});

describe('defaultMode in settings files', () => {
  it('a value that is not a mode is ignored, loudly', async () => {
    const file = await projectSettings({ defaultMode: 'yolo' });
    const loaded = loadPermissionPolicy({ cwd: ws, homeDir: home });
    expect(loaded.warnings).toEqual([
      `${file}: permissions.defaultMode \`yolo\` is not a mode; ignored (modes: default, acceptEdits, plan, bypassPermissions, dontAsk)`,
    ]);
    expect(loaded.defaultMode).toBe('default');
  });

  it('a project may make the user’s mode stricter, never looser', async () => {
    await write(path.join(home, '.claude', 'settings.json'), { permissions: { defaultMode: 'acceptEdits' } });
    const local = await projectSettings({ defaultMode: 'bypassPermissions' }, 'settings.local.json');
    const looser = loadPermissionPolicy({ cwd: ws, homeDir: home });
    expect(looser.warnings).toEqual([
      `${local}: permissions.defaultMode \`bypassPermissions\` is looser than your own mode \`acceptEdits\`; a project may only make it stricter, so \`acceptEdits\` holds (set it in ~/.codex-task/config.json to change your mode)`,
    ]);
    expect(looser).toMatchObject({ userMode: 'acceptEdits', defaultMode: 'acceptEdits' });
    expect(
      (await agentPolicy(looser, { name: 'a' }, ws).check('Write', { file_path: 'a', content: '' })).decision,
    ).toBe('allowed');

    await projectSettings({ defaultMode: 'plan' });
    const stricter = loadPermissionPolicy({ cwd: ws, homeDir: home });
    expect(stricter).toMatchObject({ userMode: 'acceptEdits', defaultMode: 'plan' });
    const p = agentPolicy(stricter, { name: 'a' }, ws);
    expect((await p.check('Write', { file_path: 'a', content: '' })).decision).toBe('denied');
  });
});

describe('the trust items of a project’s allow rules (`codex-task trust`)', () => {
  it('lists a project config’s string allow rules; skips the user’s own config and a broken one', async () => {
    await write(path.join(home, '.codex-task', 'config.json'), { permissions: { allow: ['Bash'] } });
    const config = await write(path.join(ws, '.codex-task', 'config.json'), {
      permissions: { allow: ['Bash(npm test:*)', 42, 'Edit(src/**)'] },
    });
    const settings = await projectSettings({ allow: ['Read'] });
    const items = projectAllowTrustItems(ws, home);
    expect(items.map(({ file, kind, summary }) => ({ file, kind, summary }))).toEqual([
      { file: settings, kind: 'settings-allow', summary: ['Read'] },
      { file: config, kind: 'settings-allow', summary: ['Bash(npm test:*)', 'Edit(src/**)'] },
    ]);

    await write(config, '{ not json');
    expect(projectAllowTrustItems(ws, home).map((i) => i.file)).toEqual([settings]);
  });
});
