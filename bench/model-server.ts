/**
 * The scripted model server in its own process for bench/run.ts and bench/profile-dispatch.ts (so
 * its CPU is not counted as the engine's), with the request log reachable over IPC: the bench asks
 * `take` and gets the requests received since the last `take` — when each arrived (`receivedAt`,
 * on the clock `wallClock()` reads in the bench's process), its model and turn.
 * `node bench/model-server.ts <script.json>` (started by `startBenchModelServer`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScript, type Script, startScriptedModel } from '../src/scripted-model/index.ts';

export interface Arrival {
  receivedAt: number;
  model: string;
  turn: number;
}

export interface BenchModelServer {
  url: string;
  /** The requests received since the last call, oldest first. */
  take(): Promise<Arrival[]>;
  stop(): void;
}

type Message = { url: string } | { arrivals: Arrival[] };

export async function startBenchModelServer(script: Script): Promise<BenchModelServer> {
  const dir = mkdtempSync(join(tmpdir(), 'codex-task-bench-'));
  const file = join(dir, 'script.json');
  writeFileSync(file, JSON.stringify(script));
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), file], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise<Message>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`bench model server exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as Message);
      });
    });
  const started = (await next()) as { url: string };
  rmSync(dir, { recursive: true, force: true });
  return {
    url: started.url,
    take: async () => {
      const reply = next();
      child.send('take');
      return ((await reply) as { arrivals: Arrival[] }).arrivals;
    },
    stop: () => child.kill('SIGTERM'),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startScriptedModel({ script: await loadScript(process.argv[2]!), logLimit: 50_000 });
  process.on('message', () => {
    const arrivals = server.requests.map((r) => ({
      receivedAt: r.receivedAt!,
      model: r.model,
      turn: r.turn,
    }));
    server.reset();
    process.send!({ arrivals });
  });
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('disconnect', stop); // the bench is gone
  process.send!({ url: server.url });
}
