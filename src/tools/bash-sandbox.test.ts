import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ToolExecutionError } from '../errors/index.ts';
import { describeWithSandbox, GIT_TEST_ENV } from '../sandbox/testing.ts';
import { bashTool, createBashTool } from './bash.ts';
import type { ToolPermissions } from './permissions.ts';
import { makeWorkspace, snapshotTree, type TestWorkspace } from './testing.ts';
import type { ToolContext } from './types.ts';

let ws: TestWorkspace;
/** A fake home with secrets in the default locations: the real one is never touched. */
let home: string;
/** A directory outside the workspace and outside /tmp (the sandbox's /tmp is private). */
let canary: string;
let ctx: ToolContext;

const SECRETS: Record<string, string> = {
  '.ssh/id_rsa': 'SSH-PRIVATE-KEY\n',
  '.aws/credentials': 'AWS-SECRET\n',
  '.codex-task/credentials.json': '{"openai":{"apiKey":"sk-CANARY"}}\n',
  '.claude/.credentials.json': 'CLAUDE-TOKEN\n',
  '.codex/auth.json': 'CODEX-TOKEN\n',
  '.codex/config.toml': '[mcp_servers.codex-task.env]\nOPENAI_API_KEY = "sk-EMBEDDED"\n',
  '.npmrc': '//registry.npmjs.org/:_authToken=NPM-TOKEN\n',
  '.pypirc': '[pypi]\npassword = PYPI-TOKEN\n',
  '.config/gcloud/application_default_credentials.json': 'GCLOUD-TOKEN\n',
  '.azure/msal_token_cache.json': 'AZURE-TOKEN\n',
};

beforeEach(async () => {
  ws = await makeWorkspace();
  home = path.join(path.dirname(ws.root), 'home');
  for (const [rel, text] of Object.entries({ ...SECRETS, '.gitconfig': '[user]\n\tname = Sandboxed\n' })) {
    await mkdir(path.dirname(path.join(home, rel)), { recursive: true });
    await writeFile(path.join(home, rel), text);
  }
  canary = await realpath(await mkdtemp('/var/tmp/codex-task-canary-'));
  await writeFile(path.join(canary, 'canary.txt'), 'unchanged\n');
  // `require`: a test must fail, not pass unsandboxed, if the sandbox were not applied.
  ctx = { ...ws.ctx, sandbox: { mode: 'require', homeDir: home } };
});
afterEach(async () => {
  await ws.cleanup();
  await rm(canary, { recursive: true, force: true });
});

const run = (command: string, context: ToolContext = ctx, timeout?: number) =>
  bashTool.execute({ command, ...(timeout ? { timeout } : {}) }, context);

function permissions(overrides: Partial<ToolPermissions>): ToolPermissions {
  return { allowsPrivateHost: () => false, bashNetwork: false, hiddenPaths: [], ...overrides };
}

/** PIDs, as the host sees them, of running `sleep <marker>` processes. */
async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const [cmdline, stat] = await Promise.all([
      readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => ''),
      readFile(`/proc/${name}/stat`, 'utf8').catch(() => ''),
    ]);
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    if (cmdline === `sleep\0${marker}\0` && state !== 'Z') pids.push(Number(name));
  }
  return pids;
}

async function waitFor<T>(probe: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (ok(value)) return value;
    await sleep(25);
  }
  throw new Error('condition never met');
}

describeWithSandbox('Bash in the OS sandbox', () => {
  it('writes in the workspace; cd, pipes, env, exit codes and stderr order work as before', async () => {
    const out = await run(
      'mkdir -p sub && cd sub && echo hello > made.txt && pwd && tr a-z A-Z < made.txt | cat; echo err >&2; echo "$CODEX_TASK_SANDBOX_TEST"; exit 3',
      { ...ctx },
    ).catch((e: unknown) => e);
    expect(out).toBe(`${ws.root}/sub\nHELLO\nerr\n\nExit code 3`);
    expect(await readFile(path.join(ws.root, 'sub', 'made.txt'), 'utf8')).toBe('hello\n');
  });

  it('cannot write outside the workspace: the home, the rest of the disk and /tmp stay unchanged', async () => {
    const homeBefore = await snapshotTree(home);
    const outsideBefore = await snapshotTree(ws.outside);
    const out = await run(
      [
        // As root, bwrap would keep the capabilities to remount / read-write (it must drop them all).
        'mount -o remount,rw / 2>/dev/null',
        `unshare -Urm sh -c 'mount -o remount,rw / 2>/dev/null; echo pwned > ${canary}/canary.txt' 2>/dev/null`,
        `echo pwned > ${canary}/canary.txt`,
        `touch ${canary}/new.txt`,
        'echo pwned > ~/.bashrc',
        `echo pwned > ${ws.outside}/secret.txt`,
        `rm -rf ${canary}`,
        'echo done',
      ].join('; '),
    );
    expect(out).toMatch(/canary\.txt: Read-only file system/);
    expect(out).toMatch(/\.bashrc: Read-only file system/);
    // /tmp is private: the sibling directory of the workspace does not exist in there.
    expect(out).toMatch(/outside\/secret\.txt: No such file or directory/);
    expect(out).toMatch(/done$/);
    expect(await readFile(path.join(canary, 'canary.txt'), 'utf8')).toBe('unchanged\n');
    expect(await readdir(canary)).toEqual(['canary.txt']);
    expect(await snapshotTree(home)).toEqual(homeBefore);
    expect(await snapshotTree(ws.outside)).toEqual(outsideBefore);
  });

  it('reads files outside the workspace (read-only), but not the secrets of the home', async () => {
    const out = await run(
      `cat ${canary}/canary.txt; echo "HOME=$HOME"; ${Object.keys(SECRETS)
        .map((rel) => `cat ~/${rel}`)
        .join('; ')}; ls ~/.ssh; git config user.name`,
    );
    expect(out).toContain('unchanged\n');
    expect(out).toContain(`HOME=${home}\n`);
    for (const rel of Object.keys(SECRETS)) {
      // The directory (.ssh, .aws) or the file itself is unreadable.
      expect(out).toMatch(new RegExp(`cat: ${home}/${rel.replace(/\./g, '\\.')}: Permission denied`));
    }
    expect(out).toMatch(/ls: cannot open directory .*\.ssh.*: Permission denied/);
    for (const text of Object.values(SECRETS)) expect(out).not.toContain(text.trim());
    expect(out).toContain('Sandboxed'); // ~/.gitconfig is not a secret: git still reads it
  });

  it('hides what the permission policy lists instead of the defaults, and the model keys in env', async () => {
    await ws.file('.env', 'DB_PASSWORD=hunter2\n');
    process.env.ANTHROPIC_API_KEY = 'sk-ant-CANARY';
    try {
      const out = await run(`cat .env; cat ~/.ssh/id_rsa; echo "key=\${ANTHROPIC_API_KEY:-none}"`, {
        ...ctx,
        permissions: permissions({ hiddenPaths: [path.join(ws.root, '.env')] }),
      });
      expect(out).toMatch(/cat: \.env: Permission denied/);
      expect(out).not.toContain('hunter2');
      // The policy owns the list: what it does not hide is visible.
      expect(out).toContain('SSH-PRIVATE-KEY');
      expect(out).toContain('key=none');
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
    }
  });

  it('covers Unix sockets it hides (a read-only mount alone would not stop connect)', async () => {
    const socket = path.join(canary, 'daemon.sock');
    const server = createNetServer((conn) => conn.end('hello-from-the-daemon'));
    server.listen(socket);
    await once(server, 'listening');
    // The sandbox gives /tmp its own empty tmpfs: a Node under /tmp (a checkout there) is not
    // visible inside, so the test runs a hard link (or copy) of it placed in the workspace.
    const node = await nodeInsideSandbox(ws.root);
    const connect = `"${node}" -e "require('net').connect('${socket}').on('data', (d) => console.log(String(d))).on('error', (e) => console.log(e.code))"`;
    try {
      expect(await run(connect)).toBe('hello-from-the-daemon'); // reachable when not hidden
      const hidden = await run(`${connect}; ls /run/dbus /run/user 2>&1 | grep -c 'Permission denied'`, {
        ...ctx,
        permissions: permissions({ hiddenPaths: [socket] }),
      });
      expect(hidden).toMatch(/^(ECONNREFUSED|EACCES|ENOTSOCK)\n/);
      // Daemons that run commands for whoever connects are always covered (where they exist).
      const daemonDirs = ['/run/dbus', '/run/user'].filter((dir) => existsSync(dir)).length;
      expect(hidden).toMatch(new RegExp(`\n${daemonDirs}$`));
    } finally {
      server.close();
    }
  });

  it('has no network unless the permissions allow it', async () => {
    let requests = 0;
    const server: Server = createServer((_req, res) => {
      requests++;
      res.end('hello-from-the-host');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const fetch = `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3`;
    try {
      const denied = await run(fetch);
      expect(denied).toMatch(/Connection refused/);
      expect(denied).not.toContain('hello-from-the-host');
      expect(requests).toBe(0);

      const allowed = await run(fetch, { ...ctx, permissions: permissions({ bashNetwork: true }) });
      expect(allowed).toContain('hello-from-the-host');
      expect(requests).toBe(1);
    } finally {
      server.close();
    }
  });

  it('a timeout kills every process inside the sandbox, background ones included', async () => {
    const marker = `31.${process.pid}1`;
    const running = createBashTool({ killGraceMs: 200 })
      .execute(
        {
          command: `trap '' TERM; sleep ${marker} & setsid sleep ${marker} & sleep ${marker}`,
          timeout: 1500,
        },
        ctx,
      )
      .catch((e: unknown) => e);
    expect(
      (
        await waitFor(
          () => processesWith(marker),
          (pids) => pids.length === 3,
        )
      ).length,
    ).toBe(3);
    expect(await running).toBeInstanceOf(ToolExecutionError);
    expect(await processesWith(marker)).toEqual([]);
  });

  it('a cancel kills every process inside the sandbox', async () => {
    const marker = `32.${process.pid}2`;
    const controller = new AbortController();
    const running = run(`sleep ${marker} & sleep ${marker}`, { ...ctx, signal: controller.signal });
    await waitFor(
      () => processesWith(marker),
      (pids) => pids.length === 2,
    );
    controller.abort(new Error('cancelled by test'));
    await expect(running).rejects.toThrow('cancelled by test');
    expect(await processesWith(marker)).toEqual([]);
  });

  it('nothing survives a finished command, not even a setsid daemon', async () => {
    const marker = `33.${process.pid}3`;
    expect(await run(`setsid sleep ${marker} > /dev/null 2>&1 & sleep ${marker} & echo started`)).toBe(
      'started',
    );
    expect(
      await waitFor(
        () => processesWith(marker),
        (pids) => pids.length === 0,
      ),
    ).toEqual([]);
  });

  it('git reads the repository (status, diff, log, show) but cannot change .git; caches go to the private /tmp', async () => {
    // All of .git is read-only in the sandbox: a command could otherwise plant config git runs on the host.
    execFileSync('git', ['init', '-q', ws.root]);
    await ws.file('a.txt', 'one\n');
    const env = GIT_TEST_ENV;
    execFileSync('git', ['-C', ws.root, 'add', 'a.txt'], { env });
    execFileSync('git', ['-C', ws.root, 'commit', '-q', '-m', 'first'], { env });
    await ws.file('a.txt', 'two\n');
    const out = await run(
      'git status --short && git diff --stat && git log --format=%s && git show --format=%s --stat HEAD | head -1' +
        ' && mkdir -p "$XDG_CACHE_HOME/go-build" "$npm_config_cache" && echo "caches writable"; git -c user.email=a@b.c commit -qam second',
    ).catch((e: unknown) => e);
    expect(String(out)).toContain(
      ' M a.txt\n a.txt | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\nfirst\nfirst\ncaches writable\n',
    );
    expect(String(out)).toMatch(/index\.lock': Read-only file system\nExit code 128$/);
  });
});

/** A path to this Node binary that the sandbox can see: the binary itself unless it is under /tmp. */
async function nodeInsideSandbox(workspace: string): Promise<string> {
  if (!process.execPath.startsWith('/tmp/')) return process.execPath;
  const inside = path.join(workspace, '.node-for-test');
  await link(process.execPath, inside).catch(() => copyFile(process.execPath, inside));
  return inside;
}
