import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { toScriptedRequest } from './conversation.ts';
import { writeMalformed, writeStatusFault } from './faults.ts';
import { createIdGenerator } from './ids.ts';
import { PromptCache, type PromptCacheOptions } from './prompt-cache.ts';
import { sleep, writeCutJson, writeJson, writeSse } from './respond.ts';
import { scriptHandler } from './script-handler.ts';
import type {
  Script,
  ScriptedHandler,
  ScriptedModelStats,
  ScriptedRequest,
  WireFormatName,
} from './types.ts';
import { type RouteInfo, resolveReply, type WireFormat, WireInputError } from './wire.ts';
import { anthropicWire } from './wire-anthropic.ts';
import { geminiWire } from './wire-gemini.ts';
import { openaiChatWire } from './wire-openai-chat.ts';
import { createOpenAIResponsesWire } from './wire-openai-responses.ts';

export interface ScriptedModelOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Answers every request; takes precedence over `script`. */
  handler?: ScriptedHandler;
  script?: Script;
  /** Delay before the first byte of every reply that does not set its own. */
  latencyMs?: number;
  /** How many requests `requests` keeps (the most recent; default 1,000). */
  logLimit?: number;
  /**
   * The vendors' prompt caches (default on, 1,024-token minimum): usage reports cache reads (and
   * Anthropic's writes) when a request repeats a cacheable prefix. `false`: never cached.
   */
  promptCache?: PromptCacheOptions | false;
}

export interface ScriptedModelServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** What to give each provider as `baseURL`. */
  readonly baseUrls: { anthropic: string; openai: string; google: string };
  /** The most recent requests, oldest first (a copy). */
  readonly requests: ScriptedRequest[];
  readonly stats: ScriptedModelStats;
  /** Swaps behaviour between tests: a handler, or a script (validated, then compiled). */
  setHandler(handler: ScriptedHandler | Script): void;
  /** Clears the request log, the counters and the prompt cache. */
  reset(): void;
  /** Stops listening and destroys every connection, idle keep-alive and in-flight alike. */
  close(): Promise<void>;
}

/** Echoes the user: enough for a smoke test, and obviously not a real model. */
const echoHandler: ScriptedHandler = (req) => ({ text: `You said: ${req.lastUserText}` });

export async function startScriptedModel(options: ScriptedModelOptions = {}): Promise<ScriptedModelServer> {
  const ids = createIdGenerator();
  const wires: Record<WireFormatName, WireFormat> = {
    anthropic: anthropicWire,
    'openai-responses': createOpenAIResponsesWire(),
    'openai-chat': openaiChatWire,
    gemini: geminiWire,
  };
  const logLimit = options.logLimit ?? 1_000;
  let log: ScriptedRequest[] = [];
  const stats: ScriptedModelStats = { requests: 0, inFlight: 0, maxInFlight: 0, modelTimeMs: 0 };
  let handler = toHandler(options.handler ?? options.script ?? echoHandler);
  const newCache = () => (options.promptCache === false ? undefined : new PromptCache(options.promptCache));
  let promptCache = newCache();

  function record(req: ScriptedRequest): void {
    log.push(req);
    // Trimmed in batches so logging stays O(1) per request.
    if (log.length >= logLimit * 2) log = log.slice(-logLimit);
  }

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    wire: WireFormat,
    route: RouteInfo,
    receivedAt: number,
  ): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return writeJson(res, 400, wire.errorBody(400, 'Request body is not valid JSON.'));
    }
    const parsed = wire.parse(body, route);
    const request = toScriptedRequest(wire.name, parsed, flattenHeaders(req));
    request.receivedAt = receivedAt;
    record(request);
    const reply = await handler(request);
    // Looked up on arrival, stored once answered: requests sent together all miss, as at the vendors.
    const cache = promptCache?.lookup(parsed, request);
    if (!(await sleep(reply.latencyMs ?? options.latencyMs ?? 0, abort.signal))) return;
    const fault = reply.fault;
    if (fault?.kind === 'status') return writeStatusFault(res, fault, wire);
    if (fault?.kind === 'reset') return void res.destroy();
    if (fault?.kind === 'malformed') return writeMalformed(res, request.stream);
    if (fault?.kind === 'hang') return; // Ends when the client aborts: 'close' does the bookkeeping.
    cache?.commit();
    const resolved = resolveReply(reply, request, wire, ids, cache?.usage);
    const ctx = { req: request, parsed, ids, created: Math.floor(Date.now() / 1000) };
    const cutAfter = fault?.kind === 'cut' ? fault.afterEvents : undefined;
    if (!request.stream) {
      const json = wire.json(resolved, ctx);
      return cutAfter === undefined ? writeJson(res, 200, json) : writeCutJson(res, json);
    }
    await writeSse(res, wire.events(resolved, ctx), {
      ...(cutAfter !== undefined && { cutAfter }),
      delayMs: reply.chunkDelayMs ?? 0,
      signal: abort.signal,
    });
  }

  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const started = performance.now();
    stats.requests += 1;
    stats.inFlight += 1;
    if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
    res.on('close', () => {
      stats.inFlight -= 1;
      stats.modelTimeMs += performance.now() - started;
    });
    const found = route(req);
    if (!found) return writeJson(res, 404, { error: { message: `No route for ${req.method} ${req.url}` } });
    if (found === 'health') return writeJson(res, 200, { ok: true });
    const [wire, info] = found;
    serve(req, res, wires[wire], info, performance.timeOrigin + started).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      const status = error instanceof WireInputError ? 400 : 500;
      const message =
        error instanceof WireInputError ? error.message : `Scripted handler failed: ${String(error)}`;
      writeJson(res, status, wires[wire].errorBody(status, message));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;

  return {
    url,
    baseUrls: { anthropic: `${url}/v1`, openai: `${url}/v1`, google: `${url}/v1beta` },
    get requests() {
      return log.slice(-logLimit);
    },
    stats,
    setHandler(next) {
      handler = toHandler(next);
    },
    reset() {
      log = [];
      promptCache = newCache();
      Object.assign(stats, {
        requests: 0,
        inFlight: stats.inFlight,
        maxInFlight: stats.inFlight,
        modelTimeMs: 0,
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function toHandler(value: ScriptedHandler | Script): ScriptedHandler {
  return typeof value === 'function' ? value : scriptHandler(value);
}

type Route = 'health' | [WireFormatName, RouteInfo];

const GEMINI_PATH = /^\/v1beta\/(.+):(generateContent|streamGenerateContent)$/;

function route(req: IncomingMessage): Route | undefined {
  const [path = '', query = ''] = (req.url ?? '').split('?', 2);
  if (req.method === 'GET') return path === '/health' ? 'health' : undefined;
  if (req.method !== 'POST') return undefined;
  if (path === '/v1/messages') return ['anthropic', {}];
  if (path === '/v1/responses') return ['openai-responses', {}];
  if (path === '/v1/chat/completions') return ['openai-chat', {}];
  const gemini = GEMINI_PATH.exec(path);
  if (!gemini) return undefined;
  // The SDK asks for SSE; without alt=sse the real API streams a JSON array, which we do not speak.
  const stream = gemini[2] === 'streamGenerateContent';
  if (stream && !new URLSearchParams(query).has('alt', 'sse')) return undefined;
  return ['gemini', { model: decodeURIComponent(gemini[1]!).replace(/^models\//, ''), stream }];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
