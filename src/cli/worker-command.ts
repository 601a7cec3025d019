import { EXIT } from './exit-codes.ts';
import { durationFlag, positiveIntFlag, redisFlag } from './flags.ts';
import { reportError } from './output.ts';
import { settingsFor } from './settings.ts';
import { VERSION } from './version.ts';

export interface WorkerFlags {
  concurrency: string;
  redis?: string;
  name?: string;
  grace: string;
  cwd?: string;
  /** `--allow-path`, repeatable: where a job's path workspace may be (worker-runtime.ts allowedRoots). */
  allowPath?: string[];
}

/**
 * `codex-task worker`: runs tasks from the queue until SIGTERM or Ctrl-C, then lets running tasks
 * finish for the grace period and hands the rest back to the queue (another worker takes them).
 */
export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const { startWorkerRuntime } = await import('../runtime/index.ts');
  let running: Awaited<ReturnType<typeof startWorkerRuntime>>;
  let graceMs: number;
  try {
    const concurrency = positiveIntFlag('--concurrency', flags.concurrency) ?? 1;
    graceMs = flags.grace === '0' ? 0 : (durationFlag('--grace', flags.grace) ?? 0);
    const settings = settingsFor({
      ...(flags.cwd ? { cwd: flags.cwd } : {}),
      config: redisFlag(flags.redis),
    });
    running = await startWorkerRuntime({
      engine: settings.engine,
      concurrency,
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.allowPath ? { allowPaths: flags.allowPath } : {}),
      observe: { metrics: false, serviceVersion: VERSION },
    });
  } catch (error) {
    return reportError(error);
  }
  const { worker, runtime } = running;
  process.stderr.write(
    `codex-task worker ${worker.id} on ${runtime.queue?.url ?? 'the queue'}, ${flags.concurrency} at once (SIGTERM or Ctrl-C stops it)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(
    `codex-task worker: stopping; ${worker.running} running task(s) get ${graceMs} ms to finish\n`,
  );
  await running.close(graceMs);
  return EXIT.ok;
}
