import { hostname } from 'node:os';

/** A live task with what the store knows of the process that runs it. */
export interface LiveTaskRow {
  id: string;
  instanceId: string | null;
  host: string | null;
  pid: number | null;
  heartbeatAt: number | null;
}

/**
 * Which live tasks have lost their process: one whose instance record is gone (it shut down), one
 * on this host whose pid no longer exists, or any whose heartbeat is older than `staleMs` (another
 * host, or a reused pid). Instances in `alive` — this process's own — are never gone.
 */
export function orphanedTasks(
  rows: readonly LiveTaskRow[],
  staleMs: number,
  alive: ReadonlySet<string>,
): string[] {
  const now = Date.now();
  const host = hostname();
  return rows
    .filter((r) => {
      if (r.instanceId !== null && alive.has(r.instanceId)) return false;
      if (r.host === null) return true;
      if (r.host === host && r.pid !== null && !processAlive(r.pid)) return true;
      return now - (r.heartbeatAt ?? 0) > staleMs;
    })
    .map((r) => r.id);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it just belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
