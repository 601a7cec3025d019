import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { rawHttp, readSse, useApi } from './http-support.ts';
import { useHarness } from './support.ts';

// The server under the API's routes (Hono behind a node:http dispatch): how SSE streams keep alive
// and end, HEAD, request targets and bodies a browser or a careless client may send.

const h = useHarness();
const api = useApi();
const task = { description: 'd', prompt: 'p' };

/** Reads a raw event stream until `until` appears in it. */
async function readUntil(body: ReadableStream<Uint8Array>, until: string): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(until)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

describe('SSE streams', () => {
  it('keep an idle stream alive with comments, as UTF-8, uncached and unbuffered', async () => {
    await h.setup({}, () => ({ fault: { kind: 'hang' } }));
    const { call, server } = await api(h.engine(), h.workspace, { sseKeepAliveMs: 20 });
    const { json } = await call('POST', '/v1/tasks', task);
    const ac = new AbortController();
    const res = await fetch(`${server.url}/v1/tasks/${json.id}/events`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const text = await readUntil(res.body!, ': keep-alive\n\n');
    expect(text).toMatch(/^id: 1\nevent: task\.queued\ndata: \{/);
    expect(text).toContain(': keep-alive\n\n');
    ac.abort();
    // The client left; the task goes on, and a new follower gets its whole story.
    await call('DELETE', `/v1/tasks/${json.id}`);
    const events = await readSse(`${server.url}/v1/tasks/${json.id}/events`);
    expect(events.at(-1)).toMatchObject({
      event: 'task.finished',
      data: { result: { status: 'cancelled' } },
    });
  });

  it('end when the server closes', async () => {
    await h.setup({}, () => ({ fault: { kind: 'hang' } }));
    const { call, server } = await api(h.engine(), h.workspace);
    const { json } = await call('POST', '/v1/tasks', task);
    const res = await fetch(`${server.url}/v1/tasks/${json.id}/events`);
    await readUntil(res.body!, 'task.queued');
    const rest = res
      .body!.getReader()
      .read()
      .then(
        (chunk) => chunk,
        (error: Error) => error,
      );
    await server.close();
    const end = await rest;
    // Cut short: the reader ends or errors, it does not hang.
    expect(end instanceof Error || end.done || end.value !== undefined).toBe(true);
    await h.engine().close();
  });
});

describe('requests', () => {
  it('answers HEAD on a GET route, and leaves HEAD out of Allow', async () => {
    await h.setup();
    const { server, call } = await api(h.engine(), h.workspace);
    const head = await fetch(`${server.url}/v1/agents`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const wrong = await call('PATCH', '/health');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(wrong.json.error).toMatchObject({
      type: 'MethodNotAllowed',
      message: 'PATCH is not allowed on /health',
    });
  });

  it('refuses an absolute-form target (a forward proxy request) with 400', async () => {
    await h.setup();
    const { server } = await api(h.engine(), h.workspace);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: 'http://example.com/v1/agents' },
        (r) => {
          let body = '';
          r.on('data', (d) => {
            body += d;
          });
          r.on('end', () => resolve({ status: r.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.type).toBe('InvalidRequestTarget');
  });

  it('refuses a chunked body past the limit while it arrives (413)', async () => {
    await h.setup();
    const { server, obs } = await api(h.engine(), h.workspace, { bodyLimitBytes: 1000 });
    const res = await new Promise<{ status: number; connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: server.port,
            method: 'POST',
            path: '/v1/tasks',
            headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
          },
          (r) => {
            let body = '';
            r.on('data', (d) => {
              body += d;
            });
            r.on('end', () => resolve({ status: r.statusCode!, connection: r.headers.connection, body }));
          },
        );
        req.on('error', reject);
        req.write(`{"description":"d","prompt":"${'x'.repeat(600)}`);
        req.write(`${'x'.repeat(600)}"}`);
        req.end();
      },
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toMatchObject({
      type: 'PayloadTooLarge',
      message: 'The body is larger than 1000 bytes',
    });
    expect(obs.store!.count()).toBe(0);
  });

  it('reads a chunked body within the limit', async () => {
    await h.setup({}, () => ({ text: 'fine' }));
    const { server } = await api(h.engine(), h.workspace);
    const res = await rawHttp(`${server.url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: JSON.stringify(task),
    });
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ status: 'completed', content: 'fine' });
  });

  it('answers a target node-server cannot read (a backslash in the path) in our error shape', async () => {
    await h.setup();
    const { server } = await api(h.engine(), h.workspace);
    // Sent as it is: a URL parser would turn the backslashes into slashes first.
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/ui\\..\\v1/agents' }, (r) => {
        let text = '';
        r.on('data', (d) => {
          text += d;
        });
        r.on('end', () => resolve({ status: r.statusCode!, text }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatchObject({
      type: 'InvalidRequest',
      message: 'The request cannot be read: Backslash in request path',
    });
  });

  it('checks the body is JSON where the guard was told not to (a custom requireJson)', async () => {
    await h.setup();
    const { call } = await api(h.engine(), h.workspace, { requireJson: () => false });
    const res = await call('POST', '/v1/tasks', 'hi', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.json.error.type).toBe('UnsupportedMediaType');
  });

  it('names a bad `since` in the list query', async () => {
    await h.setup();
    const { call } = await api(h.engine(), h.workspace);
    const res = await call('GET', '/v1/tasks?since=yesterday');
    expect(res.status).toBe(400);
    expect(res.json.error.issues[0]).toEqual({ path: 'since', message: 'must be an ISO date/time' });
  });
});
