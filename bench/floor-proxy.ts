/**
 * The floor for bench/proxy.ts: the least a Node proxy can do — node:http in, an undici keep-alive
 * Pool out, the body streamed back chunk by chunk — with no parsing, no Task, no logs or metrics.
 * `node bench/floor-proxy.ts <upstream origin>` prints `floor proxy on http://…` and serves.
 */
import { createServer } from 'node:http';
import { Pool } from 'undici';

const pool = new Pool(process.argv[2]!, { connections: 128 });
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const upstream = await pool.request({
    method: 'POST',
    path: req.url!,
    headers: { 'content-type': 'application/json' },
    body: Buffer.concat(chunks),
  });
  res.writeHead(upstream.statusCode, { 'content-type': String(upstream.headers['content-type']) });
  for await (const chunk of upstream.body) res.write(chunk);
  res.end();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address)
    process.stderr.write(`floor proxy on http://127.0.0.1:${address.port}\n`);
});
