import { describe, expect, it } from 'vitest';
import { SYNTHETIC_ID_PREFIX, stripSynthetic } from './progress-events.ts';
import {
  clientHasTool,
  injectTool,
  injectToolSlot,
  isInjectedCall,
  serializeBody,
} from './task-injection.ts';
import { parseUpstream, upstreamPath } from './upstream-target.ts';

const tool = { type: 'function', name: 'Task' };

describe('Task injection by request shape', () => {
  it('classic: appends to tools[]', () => {
    const body = { tools: [{ type: 'function', name: 'exec_command' }] };
    injectTool(body, tool);
    expect(body.tools.map((t) => t.name)).toEqual(['exec_command', 'Task']);
  });

  it("responses-lite: into additional_tools' functions namespace, beside wait", () => {
    const ns = { type: 'namespace', name: 'functions', tools: [{ type: 'function', name: 'wait' }] };
    const body = {
      input: [{ type: 'additional_tools', tools: [ns, { type: 'namespace', name: 'clock', tools: [] }] }],
    };
    injectTool(body, tool);
    expect(ns.tools.map((t) => t.name)).toEqual(['wait', 'Task']);
    expect(clientHasTool(body, 'Task')).toBe(true);
    expect('tools' in body).toBe(false);
  });

  it('the serialised body carries the tool JSON where the placeholder was, in both shapes', () => {
    const toolWithText = { ...tool, description: 'Runs "a subagent"\nwith ünïcode', parameters: { a: [1] } };
    const classic = () => ({ model: 'm', tools: [{ type: 'function', name: 'exec_command' }], input: [] });
    const ns = () => ({ type: 'namespace', name: 'functions', tools: [{ type: 'function', name: 'wait' }] });
    const lite = () => ({
      model: 'm',
      input: [{ type: 'additional_tools', tools: [ns()] }, { type: 'message' }],
    });
    for (const make of [classic, lite]) {
      const expected = make();
      injectTool(expected, toolWithText);
      const body = make();
      injectToolSlot(body);
      const text = serializeBody(body, JSON.stringify(toolWithText));
      expect(text).toBe(JSON.stringify(expected));
      expect(JSON.parse(text)).toEqual(expected);
    }
    expect(serializeBody({ a: 1 }, undefined)).toBe('{"a":1}');
    expect(() => serializeBody({ a: 1 }, '{}')).toThrow(/placeholder/);
  });

  it('only top-level or functions-namespace calls are ours (an MCP server may have its own Task)', () => {
    const call = { type: 'function_call', name: 'Task', call_id: 'c1' };
    expect(isInjectedCall(call, 'Task')).toBe(true);
    expect(isInjectedCall({ ...call, namespace: 'functions' }, 'Task')).toBe(true);
    expect(isInjectedCall({ ...call, namespace: 'mcp__codex_task' }, 'Task')).toBe(false);
    expect(isInjectedCall({ ...call, type: 'custom_tool_call' }, 'Task')).toBe(false);
  });

  it("removes the proxy's own progress items, nothing else", () => {
    const body = {
      input: [
        { type: 'reasoning', id: 'rs_upstream' },
        { type: 'reasoning', id: `${SYNTHETIC_ID_PREFIX}abc` },
      ],
    };
    expect(stripSynthetic(body)).toBe(true);
    expect(body.input).toEqual([{ type: 'reasoning', id: 'rs_upstream' }]);
    expect(stripSynthetic(body)).toBe(false);
  });
});

describe('upstream target', () => {
  const upstream = parseUpstream('https://api.example.com/openai/v1/');

  it('maps the client base path onto the upstream base path, query kept', () => {
    expect(upstream).toMatchObject({ origin: 'https://api.example.com', basePath: '/openai/v1' });
    expect(upstreamPath('/v1/responses?x=1', '/v1', upstream)).toBe('/openai/v1/responses?x=1');
  });

  it('refuses what could leave the base path', () => {
    for (const target of [
      'http://x/v1/a',
      '//x/v1',
      '/v1/../a',
      '/v1/%2E%2E/a',
      '/v1/a%2Fb',
      '/v1/./a',
      '/v1/%zz',
    ]) {
      expect(() => upstreamPath(target, '/v1', upstream), target).toThrow();
    }
    expect(() => upstreamPath('/v2/a', '/v1', upstream)).toThrow(/No route/);
  });

  it('checks the configured upstream against allowedUpstreams and refuses credentials in it', () => {
    expect(() => parseUpstream('https://evil.example/v1', ['https://api.openai.com/v1'])).toThrow(
      /not in proxy.allowedUpstreams/,
    );
    expect(parseUpstream('https://api.openai.com/v1/', ['https://api.openai.com/v1']).href).toBe(
      'https://api.openai.com/v1',
    );
    expect(() => parseUpstream('https://user:pw@api.openai.com/v1')).toThrow(/credentials/);
    expect(() => parseUpstream('file:///etc/passwd')).toThrow(/http or https/);
  });
});
