import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntimeSettings, WEB_TOOL_DEFAULTS } from '../src/config/index.ts';
import { createToolModelHooks, fastModel } from '../src/engine/index.ts';
import { ModelGateway, type ProviderConfig, resolveModel, type UsageReport } from '../src/models/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import {
  createToolContext,
  getBuiltinTool,
  STRICT_TOOL_PERMISSIONS,
  type ToolContext,
} from '../src/tools/index.ts';
import { startTestSite, type TestSite } from '../src/tools/testing.ts';
import { makeWorkspace, providersFor, useHarness } from './support.ts';

const h = useHarness();
const webFetch = getBuiltinTool('WebFetch')!;

const PAGE = `<html><head><title>Changelog</title></head><body>
<h1>Changelog</h1><h2>2.0.0</h2><ul><li>Adds <code>--json</code> output</li><li>Drops Node 18</li></ul>
</body></html>`;

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({
    '/changelog': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE),
    '/hop': (_req, res) => res.writeHead(302, { location: '/changelog' }).end(),
    '/to-localhost': (_req, res) =>
      res.writeHead(302, { location: `http://localhost:${site.port}/changelog` }).end(),
  });
});
afterAll(() => site.close());

/** A tool context as the engine builds one, with the hooks made from `callerModel`'s provider. */
async function contextFor(
  callerModel: string,
  options: { applyPrompt?: boolean; providers?: ProviderConfig[] } = {},
) {
  const providers = options.providers ?? providersFor(h.model);
  const gateway = new ModelGateway({ providers });
  const usage: UsageReport[] = [];
  const hooks = createToolModelHooks({
    gateway,
    providers,
    resolved: resolveModel({ callerModel, env: {} }, providers),
    failover: true,
    observer: { onUsage: (report) => usage.push(report) },
    settings: { ...WEB_TOOL_DEFAULTS, ...(options.applyPrompt === false ? { applyPrompt: false } : {}) },
  });
  const ctx: ToolContext = {
    ...createToolContext({ workspaceRoot: await h.setup() }),
    ...hooks,
    // What a `WebFetch(domain:127.0.0.1)` allow rule gives: the test site is on loopback.
    permissions: { ...STRICT_TOOL_PERMISSIONS, allowsPrivateHost: (host) => host === '127.0.0.1' },
  };
  return { ctx, usage };
}

describe("WebFetch's prompt, applied by the subagent's fast model", () => {
  it.each([
    ['anthropic:claude-sonnet-5', 'anthropic', 'claude-haiku-4-5'],
    ['openai:gpt-5.5', 'openai-responses', 'gpt-5.5-mini'],
    ['google:gemini-3-pro', 'gemini', 'gemini-3-flash-lite'],
  ])('%s → the same vendor’s haiku tier (%s %s)', async (callerModel, format, fast) => {
    const { ctx, usage } = await contextFor(callerModel);
    h.model.setHandler(() => ({ text: 'Version 2.0.0 adds --json output and drops Node 18.' }));
    const out = await webFetch.execute(
      { url: `${site.url}/changelog`, prompt: 'What changed in 2.0.0?' },
      ctx,
    );
    expect(out).toBe('Version 2.0.0 adds --json output and drops Node 18.');
    expect(h.model.requests).toHaveLength(1);
    const [request] = h.model.requests;
    expect(request).toMatchObject({ format, model: fast });
    expect(request!.tools).toEqual([]);
    expect(request!.lastUserText).toContain('# Changelog\n\n## 2.0.0');
    expect(request!.lastUserText).toMatch(/-\s+Adds `--json` output/);
    expect(request!.lastUserText).toContain('What changed in 2.0.0?');
    expect(request!.lastUserText).not.toContain('<li>');
    // Its tokens are the task's (the observer is the task's).
    expect(usage.map((u) => u.model)).toEqual([`${callerModel.split(':')[0]}:${fast}`]);
    expect(site.requests).toContain('/changelog');
  });

  it('returns the Markdown itself, with no model call, when applyPrompt is off', async () => {
    const { ctx } = await contextFor('anthropic:claude-sonnet-5', { applyPrompt: false });
    const out = await webFetch.execute({ url: `${site.url}/changelog`, prompt: 'What changed?' }, ctx);
    expect(out).toMatch(/^# Changelog\n\n## 2\.0\.0\n\n-\s+Adds `--json` output/);
    expect(h.model.requests).toEqual([]);
  });

  it('uses the subagent’s own model where its provider has no fast tier', () => {
    const providers: ProviderConfig[] = [
      { id: 'local', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:9' },
    ];
    const resolved = resolveModel({ callerModel: 'local:llama3', env: {} }, providers);
    expect(fastModel(resolved, providers, 'haiku').spec).toBe('local:llama3');
    expect(fastModel(resolved, providersFor(h.model), 'anthropic:claude-haiku-4-5').spec).toBe(
      'anthropic:claude-haiku-4-5',
    );
    expect(() => fastModel(resolved, providers, 'google:gemini-3-flash')).toThrow(
      /google provider, which is not configured/,
    );
  });
});

describe('WebFetch in a subagent run', () => {
  it('is offered to general-purpose and Explore, and refuses a loopback URL with no rule allowing it', async () => {
    await h.setup({}, (req) => {
      if (req.toolResults.length > 0) return { text: `Tool said: ${req.toolResults[0]!.output}` };
      return {
        toolCalls: [{ name: 'WebFetch', input: { url: `${site.url}/changelog`, prompt: 'Summarise' } }],
      };
    });
    site.requests.length = 0;
    const connectionsBefore = site.connections;
    const engine = h.engine();
    for (const agent of ['general-purpose', 'Explore']) {
      const result = await engine.run({
        description: 'fetch',
        prompt: 'Read the changelog',
        subagent_type: agent,
      });
      expect(result.status).toBe('completed');
      expect(result.toolStats.WebFetch).toMatchObject({ calls: 1, errors: 1, denied: 1 });
      expect(result.content).toContain('WebFetch refused 127.0.0.1: the address is loopback');
      expect(result.content).toContain('WebFetch(domain:127.0.0.1)');
    }
    const offered = h.model.requests.filter((r) => r.turn === 0).map((r) => r.tools);
    for (const tools of offered) expect(tools).toEqual(expect.arrayContaining(['WebFetch', 'WebSearch']));
    expect(site.requests).toEqual([]);
    expect(site.connections).toBe(connectionsBefore);
  });
});

describe('WebFetch in a subagent run, with permission rules', () => {
  /** The subagent fetches `path` from the site, then reports what the tool said. */
  function fetchingModel(path: string) {
    return (req: ScriptedRequest) => {
      if (req.tools.includes('WebFetch')) {
        if (req.toolResults.length > 0) return { text: `Tool said: ${req.toolResults[0]!.output}` };
        return {
          toolCalls: [
            { name: 'WebFetch', input: { url: `${site.url}${path}`, prompt: 'What changed in 2.0.0?' } },
          ],
        };
      }
      return { text: 'The fast model says: 2.0.0 adds --json output.' };
    };
  }

  it('fetches a host an allow rule names, and the fast model applies the prompt', async () => {
    await h.setup({}, fetchingModel('/changelog'));
    site.requests.length = 0;
    const engine = h.engine({
      callerModel: 'anthropic:claude-sonnet-5',
      permissions: { allow: ['WebFetch(domain:127.0.0.1)'] },
    });
    const result = await engine.run({ description: 'fetch', prompt: 'What is new?' });
    expect(result.status).toBe('completed');
    expect(result.content).toBe('Tool said: The fast model says: 2.0.0 adds --json output.');
    expect(site.requests).toEqual(['/changelog']);
    const fast = h.model.requests.find((r) => r.model === 'claude-haiku-4-5');
    expect(fast?.lastUserText).toContain('## 2.0.0');
    expect(fast?.lastUserText).toContain('What changed in 2.0.0?');
    expect(result.modelsUsed.map((m) => [m.model, m.calls])).toEqual([
      ['anthropic:claude-sonnet-5', 2],
      ['anthropic:claude-haiku-4-5', 1],
    ]);
  });

  it('asks the policy before following a redirect: a deny rule on the new host holds', async () => {
    await h.setup({}, fetchingModel('/to-localhost'));
    site.requests.length = 0;
    const engine = h.engine({
      permissions: {
        allow: ['WebFetch(domain:127.0.0.1)', 'WebFetch(domain:localhost)'],
        deny: ['WebFetch(domain:localhost)'],
      },
    });
    const result = await engine.run({ description: 'fetch', prompt: 'What is new?' });
    expect(result.content).toContain(
      `WebFetch did not follow the redirect from ${site.url}/to-localhost to http://localhost:${site.port}/changelog`,
    );
    expect(result.toolStats.WebFetch).toMatchObject({ calls: 1, denied: 1 });
    expect(site.requests).toEqual(['/to-localhost']);
  });
});

describe('webFetch in config', () => {
  it('sets applyPrompt, the model and the limits', async () => {
    const root = await makeWorkspace({
      '.codex-task/config.json': JSON.stringify({
        webFetch: { applyPrompt: false, model: 'anthropic:claude-haiku-4-5', maxBytes: 65536, timeout: '5s' },
      }),
    });
    const { engine } = loadRuntimeSettings({ cwd: root, homeDir: root, env: {} });
    expect(engine.webTools).toEqual({ applyPrompt: false, fetchModel: 'anthropic:claude-haiku-4-5' });
    expect(engine.toolLimits).toEqual({ webFetchMaxBytes: 65536, webFetchTimeoutMs: 5000 });
  });

  it('sets the connect timeout and the redirect limit, and a run honours them', async () => {
    const root = await makeWorkspace({
      '.codex-task/config.json': JSON.stringify({ webFetch: { connectTimeout: '2s', maxRedirects: 0 } }),
    });
    const { engine: settings } = loadRuntimeSettings({ cwd: root, homeDir: root, env: {} });
    expect(settings.toolLimits).toEqual({ webFetchConnectTimeoutMs: 2000, webFetchMaxRedirects: 0 });

    await h.setup({}, (req) =>
      req.toolResults.length > 0
        ? { text: `Tool said: ${req.toolResults[0]!.output}` }
        : { toolCalls: [{ name: 'WebFetch', input: { url: `${site.url}/hop`, prompt: 'x' } }] },
    );
    site.requests.length = 0;
    const engine = h.engine({
      toolLimits: settings.toolLimits!,
      permissions: { allow: ['WebFetch(domain:127.0.0.1)'] },
    });
    const result = await engine.run({ description: 'fetch', prompt: 'Read it' });
    expect(result.content).toContain(`${site.url}/hop redirected more than 0 times`);
    expect(site.requests).toEqual(['/hop']);
  });

  it.each([
    [{ webFetch: { maxRedirects: -1 } }, '`webFetch.maxRedirects`: at least 0 (0 follows none)'],
    [{ webFetch: { maxRedirects: 2.5 } }, '`webFetch.maxRedirects`: a whole number of redirects'],
    [{ webFetch: { connectTimeout: 'soon' } }, '`webFetch.connectTimeout`: a duration like 90000, "90s"'],
    [{ webFetch: { connectTimout: '5s' } }, 'unknown key(s) `connectTimout`'],
  ])('refuses %j with an error naming the file and the field', async (config, message) => {
    const root = await makeWorkspace({ '.codex-task/config.json': JSON.stringify(config) });
    const load = () => loadRuntimeSettings({ cwd: root, homeDir: root, env: {} });
    expect(load).toThrow('.codex-task/config.json: ');
    expect(load).toThrow(message);
  });
});
