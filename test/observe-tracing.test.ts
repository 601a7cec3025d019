import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { observe } from '../src/observe/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { createTracing } from '../src/telemetry/index.ts';
import { agentFile, useHarness } from './support.ts';

const h = useHarness();
const SECRET = 'sk-live-abcdefghijklmnopqrstuvwxyz0123';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
  status?: { code?: number };
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

/** A real OTLP/HTTP receiver on loopback: it keeps every body and every span it is sent. */
let receiver: { server: Server; url: string; bodies: string[]; spans: OtlpSpan[] };
beforeAll(async () => {
  const bodies: string[] = [];
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const parsed = JSON.parse(body) as {
        resourceSpans: {
          scopeSpans: { spans: (OtlpSpan & { attributes: { key: string; value: object }[] })[] }[];
        }[];
      };
      for (const rs of parsed.resourceSpans)
        for (const ss of rs.scopeSpans)
          for (const span of ss.spans) {
            const attributes = Object.fromEntries(
              span.attributes.map((a) => [a.key, Object.values(a.value as Record<string, unknown>)[0]]),
            );
            spans.push({ ...span, attributes });
          }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, spans };
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => {
  receiver.bodies.length = 0;
  receiver.spans.length = 0;
});

/** The lead delegates to a helper, which searches for a key (a secret in a tool argument) and answers. */
const script = (req: ScriptedRequest) => {
  if (req.system.includes('You lead') && req.turn === 0) {
    return {
      toolCalls: [
        { name: 'Task', input: { description: 'help', prompt: 'read it', subagent_type: 'helper' } },
      ],
    };
  }
  if (req.system.includes('You help') && req.turn === 0) {
    return { toolCalls: [{ name: 'Grep', input: { pattern: SECRET } }] };
  }
  return { text: 'done' };
};

describe('OpenTelemetry traces', () => {
  it('exports nested task, model and tool spans with GenAI attributes to an OTLP receiver', async () => {
    await h.setup(
      {
        'a.txt': 'A',
        '.claude/agents/lead.md': agentFile(
          { name: 'lead', description: 'leads', tools: 'Task' },
          'You lead.',
        ),
        '.claude/agents/helper.md': agentFile(
          { name: 'helper', description: 'helps', tools: 'Read' },
          'You help.',
        ),
      },
      script,
    );
    const engine = h.engine();
    const tracing = createTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } })!;
    const obs = observe(engine, { env: {}, store: ':memory:', logger: false, audit: false, tracing });
    const { taskId, result } = obs.start({ description: 'lead it', prompt: 'go', subagent_type: 'lead' });
    expect((await result).status).toBe('completed');
    const traceId = obs.store!.get(taskId)!.traceId;
    await obs.close();
    await tracing.shutdown();

    const spans = receiver.spans;
    const named = (name: string) => spans.filter((s) => s.name === name);
    const [lead] = named('invoke_agent lead');
    const [helper] = named('invoke_agent helper');
    const [taskCall] = named('execute_tool Task');
    const [read] = named('execute_tool Grep');
    expect(lead && helper && taskCall && read).toBeTruthy();
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    expect(lead!.parentSpanId ?? '').toBe('');
    expect(taskCall!.parentSpanId).toBe(lead!.spanId);
    expect(helper!.parentSpanId).toBe(taskCall!.spanId);
    expect(read!.parentSpanId).toBe(helper!.spanId);

    const chats = spans.filter((s) => s.name === 'chat gpt-5.5');
    expect(chats).toHaveLength(4); // two turns each
    expect(chats.filter((c) => c.parentSpanId === lead!.spanId)).toHaveLength(2);
    expect(chats.filter((c) => c.parentSpanId === helper!.spanId)).toHaveLength(2);
    for (const chat of chats) {
      expect(chat.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-5.5',
      });
      expect(Number(chat.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(0);
    }
    expect(lead!.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'lead',
      'gen_ai.agent.id': taskId,
      'gen_ai.request.model': 'gpt-5.5',
    });
    expect(Number(lead!.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);
    expect(read!.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'Grep',
    });
    expect(String(read!.attributes['gen_ai.tool.call.arguments'])).toContain('[REDACTED]');
    // Nested in time too: a child starts after its parent and ends before it.
    const t = (s: OtlpSpan, k: 'startTimeUnixNano' | 'endTimeUnixNano') => BigInt(s[k]);
    expect(t(helper!, 'startTimeUnixNano') >= t(lead!, 'startTimeUnixNano')).toBe(true);
    expect(t(helper!, 'endTimeUnixNano') <= t(lead!, 'endTimeUnixNano')).toBe(true);
    expect(receiver.bodies.join('')).not.toContain('sk-live');
  });

  it('marks a failed task and its failing model call as errors', async () => {
    await h.setup({}, () => ({ fault: { kind: 'status', status: 400 } }));
    const engine = h.engine();
    const tracing = createTracing({
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` },
    })!;
    const obs = observe(engine, { env: {}, store: false, logger: false, audit: false, tracing });
    expect((await obs.start({ description: 'x', prompt: 'x' }).result).status).toBe('failed');
    await obs.close();
    await tracing.shutdown();
    const task = receiver.spans.find((s) => s.name.startsWith('invoke_agent'))!;
    const chat = receiver.spans.find((s) => s.name.startsWith('chat'))!;
    expect(task.status?.code).toBe(2);
    expect(task.attributes['error.type']).toBe('Provider');
    expect(chat.status?.code).toBe(2);
    expect(chat.parentSpanId).toBe(task.spanId);
  });

  it('attaches nothing when no OTLP endpoint is configured', async () => {
    await h.setup();
    expect(createTracing({ env: {} })).toBeUndefined();
    expect(
      createTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' } }),
    ).toBeUndefined();
    const engine = h.engine();
    const before = engine.events.listenerCount('task.tool');
    const withTracing = observe(engine, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
      store: false,
      logger: false,
      audit: false,
      metrics: false,
    });
    const withTool = engine.events.listenerCount('task.tool');
    await withTracing.close();
    const without = observe(engine, { env: {}, store: false, logger: false, audit: false, metrics: false });
    expect(without.tracing).toBeUndefined();
    expect(engine.events.listenerCount('task.tool') - before).toBeLessThan(withTool - before);
    await without.close();
  });
});
