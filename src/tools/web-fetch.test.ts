import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ToolDeniedError, ToolExecutionError } from '../errors/index.ts';
import { STRICT_TOOL_PERMISSIONS, type ToolPermissions } from './permissions.ts';
import { makeWorkspace, startTestSite, type TestSite, type TestWorkspace } from './testing.ts';
import type { ToolContext, ToolLimits } from './types.ts';
import { MarkdownConverter } from './web/index.ts';
import { createWebFetchTool, webFetchTool } from './web-fetch.ts';

const PAGE = `<!doctype html><html><head><title>T</title><style>p{color:red}</style>
<script>window.secret = "do not show"</script></head>
<body><h1>Release notes</h1><p>Version <strong>2.0</strong> adds <a href="/docs">docs</a>.</p>
<ul><li>fast</li><li>safe</li></ul><pre><code>npm i thing</code></pre></body></html>`;

/** 2 MB of ordinary markup: seconds of turndown and a few hundred MB of DOM in its worker. */
const HUGE_PAGE = `<html><body>${'<div><h2>Part</h2><p>Text with <a href="/x">a link</a> and <b>bold</b>.</p><ul><li>a</li><li>b</li></ul></div>\n'.repeat(20_000)}</body></html>`;

let site: TestSite;
let other: TestSite;
let ws: TestWorkspace;

beforeAll(async () => {
  site = await startTestSite({
    '/page': (_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE),
    '/plain': (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('just text\n'),
    '/big': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(200_000));
    },
    '/png': (_req, res) =>
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1])),
    '/disguised': (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])),
    '/hang': () => {},
    '/huge-html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(HUGE_PAGE),
    '/old': (_req, res) => res.writeHead(301, { location: '/page' }).end(),
    '/to-metadata': (_req, res) =>
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    '/to-other': (_req, res) =>
      res.writeHead(302, { location: `http://localhost:${other.port}/plain` }).end(),
    '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
    '/gone': (_req, res) => res.writeHead(404).end('nope'),
  });
  other = await startTestSite({ '/plain': (_req, res) => res.end('other') });
});
afterAll(async () => {
  await site.close();
  await other.close();
});
afterEach(async () => {
  await ws?.cleanup();
  site.connections = 0;
  site.requests.length = 0;
  other.connections = 0;
  other.requests.length = 0;
});

/** Only the named hosts may be private, as a `WebFetch(domain:…)` allow rule would say. */
function allowing(...hosts: string[]): ToolPermissions {
  return { ...STRICT_TOOL_PERMISSIONS, allowsPrivateHost: (host) => hosts.includes(host) };
}

async function context(
  options: { permissions?: ToolPermissions; limits?: Partial<ToolLimits>; signal?: AbortSignal } = {},
): Promise<ToolContext> {
  ws = await makeWorkspace({
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { ...ws.ctx, ...(options.permissions ? { permissions: options.permissions } : {}) };
}

const fetchWith = (ctx: ToolContext, url: string) =>
  webFetchTool.execute({ url, prompt: 'What is new?' }, ctx);

describe('WebFetch on an allowed host', () => {
  it('converts HTML to Markdown and returns it raw when no model applies the prompt', async () => {
    const ctx = await context({ permissions: allowing('127.0.0.1') });
    const out = await fetchWith(ctx, `${site.url}/page`);
    expect(out).toContain('# Release notes');
    expect(out).toContain('Version **2.0** adds [docs](/docs).');
    expect(out).toMatch(/-\s+fast\n-\s+safe/);
    expect(out.startsWith('# Release notes')).toBe(true);
    expect(out).toContain('```\nnpm i thing\n```');
    expect(out).not.toContain('do not show');
    expect(out).not.toContain('<p>');
  });

  it('hands the Markdown and the prompt to the summarize hook and returns its answer', async () => {
    const ctx = await context({ permissions: allowing('127.0.0.1') });
    const seen: { content: string; prompt: string }[] = [];
    ctx.summarize = async (content, prompt) => {
      seen.push({ content, prompt });
      return 'Version 2.0 adds docs.';
    };
    expect(await fetchWith(ctx, `${site.url}/page`)).toBe('Version 2.0 adds docs.');
    expect(seen).toEqual([{ content: expect.stringContaining('# Release notes'), prompt: 'What is new?' }]);
  });

  it('returns other text as it is, and follows a redirect on the same host', async () => {
    const ctx = await context({ permissions: allowing('127.0.0.1') });
    expect(await fetchWith(ctx, `${site.url}/plain`)).toBe('just text\n');
    const out = await fetchWith(ctx, `${site.url}/old`);
    expect(out).toContain(`[Redirected to ${site.url}/page.]`);
    expect(out).toContain('# Release notes');
    expect(site.requests).toEqual(['/plain', '/old', '/page']);
  });

  it('stops reading at the size limit and says so', async () => {
    const ctx = await context({ permissions: allowing('127.0.0.1'), limits: { webFetchMaxBytes: 1000 } });
    const out = await fetchWith(ctx, `${site.url}/big`);
    expect(out).toContain('larger than 1000 bytes; only its beginning was read');
    expect(out.match(/x/g)?.length).toBe(1000);
  });

  it('returns a raw page cut to fit one tool result', async () => {
    const ctx = await context({ permissions: allowing('127.0.0.1'), limits: { resultLimitChars: 5000 } });
    const out = await fetchWith(ctx, `${site.url}/big`);
    expect(out).toMatch(/^\[Only the first 4500 of 200000 characters were used\.\]\n\nx{4500}$/);
  });

  it('stops a fetch that takes longer than the time limit', async () => {
    const ctx = await context({ permissions: allowing('127.0.0.1'), limits: { webFetchTimeoutMs: 300 } });
    await expect(fetchWith(ctx, `${site.url}/hang`)).rejects.toThrow(/took longer than 300 ms/);
  });

  it('stops when the task is cancelled', async () => {
    const controller = new AbortController();
    const ctx = await context({ permissions: allowing('127.0.0.1'), signal: controller.signal });
    const pending = fetchWith(ctx, `${site.url}/hang`);
    setTimeout(() => controller.abort(new Error('task cancelled')), 100);
    await expect(pending).rejects.toThrow('task cancelled');
  });

  it('stops a conversion that outlasts the time left of the limit (the fetch was quick)', async () => {
    const ctx = await context({ permissions: allowing('127.0.0.1'), limits: { webFetchTimeoutMs: 1000 } });
    await expect(fetchWith(ctx, `${site.url}/huge-html`)).rejects.toThrow(
      `Fetching and converting ${site.url}/huge-html took longer than 1000 ms and was stopped.`,
    );
  });

  it('stops a conversion when the task is cancelled', async () => {
    const controller = new AbortController();
    const ctx = await context({ permissions: allowing('127.0.0.1'), signal: controller.signal });
    const pending = fetchWith(ctx, `${site.url}/huge-html`);
    // The body arrives within milliseconds; the conversion takes seconds.
    setTimeout(() => controller.abort(new Error('task cancelled')), 300);
    await expect(pending).rejects.toThrow('task cancelled');
  });

  it('fails one call with a tool error when the converter crashes; the next call works', async () => {
    const converter = new MarkdownConverter({ maxThreads: 1, maxMemoryMb: 16 });
    const tool = createWebFetchTool({ converter });
    const ctx = await context({ permissions: allowing('127.0.0.1') });
    try {
      const error = await tool
        .execute({ url: `${site.url}/huge-html`, prompt: 'x' }, ctx)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ToolExecutionError);
      expect((error as Error).message).toBe(
        `WebFetch could not convert ${site.url}/huge-html to Markdown: the page needs more than the converter's 16 MB of memory.`,
      );
      const out = await tool.execute({ url: `${site.url}/page`, prompt: 'x' }, ctx);
      expect(out).toContain('# Release notes');
    } finally {
      await converter.close();
    }
  });

  it('refuses binary content, also when it is labelled as text', async () => {
    const ctx = await context({ permissions: allowing('127.0.0.1') });
    await expect(fetchWith(ctx, `${site.url}/png`)).rejects.toThrow(/is image\/png, not text/);
    await expect(fetchWith(ctx, `${site.url}/disguised`)).rejects.toThrow(/not text/);
  });

  it('reports HTTP errors and endless redirects', async () => {
    const ctx = await context({ permissions: allowing('127.0.0.1'), limits: { webFetchMaxRedirects: 3 } });
    await expect(fetchWith(ctx, `${site.url}/gone`)).rejects.toThrow(/answered HTTP 404/);
    await expect(fetchWith(ctx, `${site.url}/loop`)).rejects.toThrow(/redirected more than 3 times/);
    expect(site.requests.filter((p) => p === '/loop')).toHaveLength(4);
  });
});

describe('WebFetch refuses what is not an http(s) URL', () => {
  it.each([
    ['file:///etc/passwd', /file: scheme; WebFetch reads http and https URLs only/],
    ['ftp://example.com/x', /ftp: scheme/],
    ['javascript:alert(1)', /javascript: scheme/],
    ['not a url', /is not a valid URL/],
    ['http://user:pw@example.com/', /carries credentials/],
  ])('%s', async (url, message) => {
    const ctx = await context();
    const error = await fetchWith(ctx, url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('WebFetch SSRF guard (no rule allows a private host)', () => {
  const refusals = (port: () => number): [string, () => string, RegExp][] => [
    ['IPv4 loopback', () => `http://127.0.0.1:${port()}/plain`, /127\.0\.0\.1: the address is loopback/],
    ['IPv6 loopback', () => `http://[::1]:${port()}/plain`, /::1: the address is loopback/],
    [
      'localhost (resolves to loopback)',
      () => `http://localhost:${port()}/plain`,
      /localhost \(.+\): .*loopback/,
    ],
    ['decimal IPv4', () => `http://2130706433:${port()}/plain`, /127\.0\.0\.1: the address is loopback/],
    ['hex IPv4', () => `http://0x7f.1:${port()}/plain`, /127\.0\.0\.1: the address is loopback/],
    ['octal IPv4', () => `http://0177.0.0.1:${port()}/plain`, /127\.0\.0\.1: the address is loopback/],
    ['IPv4-mapped IPv6', () => `http://[::ffff:127.0.0.1]:${port()}/plain`, /::ffff:7f00:1: .*loopback/],
    ['0.0.0.0 (Linux routes it to this machine)', () => `http://0.0.0.0:${port()}/plain`, /unspecified/],
  ];
  it.each(refusals(() => site.port))('%s', async (_name, url, message) => {
    const ctx = await context();
    const error = await fetchWith(ctx, url()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect((error as Error).message).toMatch(message);
    expect((error as ToolDeniedError).hint).toMatch(/WebFetch\(domain:/);
    expect(site.connections).toBe(0);
    expect(site.requests).toEqual([]);
  });

  it.each([
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/', /cloud metadata service/],
    ['IPv6 metadata', 'http://[fd00:ec2::254]/latest/', /cloud metadata service/],
    ['private 10/8', 'http://10.0.0.1/', /private network/],
    ['private 192.168/16', 'http://192.168.1.1/admin', /private network/],
    ['link-local', 'http://169.254.1.1/', /link-local/],
    ['carrier-grade NAT', 'http://100.64.0.1/', /carrier-grade NAT/],
    ['IPv6 unique-local', 'http://[fc00::1]/', /unique-local/],
    ['IPv4-compatible IPv6', 'http://[::127.0.0.1]/', /IPv4-compatible/],
    ['IPv4-compatible IPv6 of a private address', 'http://[::10.0.0.1]/', /IPv4-compatible/],
  ])('%s', async (_name, url, message) => {
    const ctx = await context();
    // Refused before any connection: an unreachable address would time out instead of this.
    await expect(fetchWith(ctx, url)).rejects.toThrow(message);
  });

  it('checks every address of a name: one private answer refuses it', async () => {
    const tool = createWebFetchTool({
      resolve: async () => [
        { address: '93.184.215.14', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    });
    const ctx = await context();
    await expect(
      tool.execute({ url: `http://mixed.test:${site.port}/plain`, prompt: 'x' }, ctx),
    ).rejects.toThrow(/mixed\.test \(127\.0\.0\.1\): the address is loopback/);
    expect(site.connections).toBe(0);
  });

  it('refuses a name that resolves to the metadata service, whatever the name', async () => {
    const tool = createWebFetchTool({ resolve: async () => [{ address: '169.254.169.254', family: 4 }] });
    const ctx = await context();
    await expect(
      tool.execute({ url: 'http://metadata.google.internal/computeMetadata/v1/', prompt: 'x' }, ctx),
    ).rejects.toThrow(
      /metadata\.google\.internal \(169\.254\.169\.254\): the address is cloud metadata service/,
    );
  });

  it('checks the answer each connection uses, so a rebinding name is caught at connect time', async () => {
    // A public answer first (what a check-then-fetch guard would have approved), loopback after.
    const answers = ['192.88.98.1', '127.0.0.1'];
    const resolved: string[] = [];
    const tool = createWebFetchTool({
      resolve: async () => {
        const address = answers[Math.min(resolved.length, answers.length - 1)]!;
        resolved.push(address);
        return [{ address, family: 4 }];
      },
    });
    const ctx = await context({ limits: { webFetchConnectTimeoutMs: 300, webFetchTimeoutMs: 1000 } });
    const url = `http://rebind.test:${site.port}/plain`;
    // The public address is tried (and is unreachable here); the loopback one is refused.
    await expect(tool.execute({ url, prompt: 'x' }, ctx)).rejects.toBeInstanceOf(ToolExecutionError);
    await expect(tool.execute({ url, prompt: 'x' }, ctx)).rejects.toThrow(/rebind\.test \(127\.0\.0\.1\)/);
    expect(resolved).toEqual(['192.88.98.1', '127.0.0.1']);
    expect(site.connections).toBe(0);
  });

  it('checks every redirect: an allowed host cannot send the fetch to a private address', async () => {
    const ctx = await context({ permissions: allowing('127.0.0.1') });
    await expect(fetchWith(ctx, `${site.url}/to-metadata`)).rejects.toThrow(/cloud metadata service/);
    await expect(fetchWith(ctx, `${site.url}/to-other`)).rejects.toThrow(/localhost \(.+\): .*loopback/);
    expect(site.requests).toEqual(['/to-metadata', '/to-other']);
    expect(other.connections).toBe(0);
  });

  it('lets an allowed host through under any of its names the rule names', async () => {
    const ctx = await context({ permissions: allowing('localhost', '::1') });
    expect(await fetchWith(ctx, `http://localhost:${site.port}/plain`)).toBe('just text\n');
    expect(await fetchWith(ctx, `http://[::1]:${site.port}/plain`)).toBe('just text\n');
    await expect(fetchWith(ctx, `${site.url}/plain`)).rejects.toThrow(
      /127\.0\.0\.1: the address is loopback/,
    );
  });
});
