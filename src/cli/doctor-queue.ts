/** One of `doctor`'s lines about the queue (the same shape as its other checks). */
export interface QueueCheck {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** BullMQ's scripts need Redis 5 (streams); older ones fail at the first job. */
const MIN_MAJOR = 5;

/** The fields of `INFO` as a map (`redis_version` → `7.0.15`). */
export function parseInfo(info: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

/**
 * What `doctor` says of the queue at `url` (CODEX_TASK_REDIS_URL, queue.url or --redis): reachable
 * within `timeoutMs` (one try, no reconnecting), the Redis version, the eviction policy and
 * persistence, from one `INFO` (which managed services allow where `CONFIG GET` is refused). The
 * URL is shown without its password.
 */
export async function queueChecks(url: string, timeoutMs = 3_000): Promise<QueueCheck[]> {
  const { connectTo, redactRedisUrl } = await import('../queue/index.ts');
  const shown = redactRedisUrl(url);
  const redis = connectTo(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    connectionName: 'codex-task:doctor',
  });
  // The reason (WRONGPASS, ECONNREFUSED) comes as an event; the call itself only says "closed".
  let reason: Error | undefined;
  redis.on('error', (error: Error) => {
    reason ??= error;
  });
  let timer: NodeJS.Timeout | undefined;
  let info: Map<string, string>;
  try {
    const answer = (async () => {
      await redis.connect();
      return redis.info();
    })();
    answer.catch(() => {});
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    info = parseInfo(await Promise.race([answer, late]));
  } catch (error) {
    const message = (reason ?? (error as Error)).message.replaceAll(url, shown);
    const auth = /NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message);
    return [
      {
        check: 'queue',
        status: 'fail',
        detail: `cannot use the Redis at ${shown}: ${message}`,
        fix: auth
          ? 'Put the user and password in the URL (redis://user:password@host:6379/0), in CODEX_TASK_REDIS_URL or queue.url.'
          : 'Start Redis there, or fix CODEX_TASK_REDIS_URL / queue.url / --redis (redis://host:6379, rediss:// for TLS); check firewalls between here and it.',
      },
    ];
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
  return infoChecks(shown, info);
}

/** The checks of a Redis that answered, from its INFO. */
export function infoChecks(shown: string, info: Map<string, string>): QueueCheck[] {
  return [versionCheck(shown, info), evictionCheck(info), persistenceCheck(info)];
}

function versionCheck(shown: string, info: Map<string, string>): QueueCheck {
  const version = info.get('redis_version') ?? 'unknown';
  const major = Number(version.split('.')[0]);
  const detail = `Redis ${version} at ${shown}`;
  if (major >= MIN_MAJOR) return { check: 'queue', status: 'ok', detail };
  return {
    check: 'queue',
    status: 'fail',
    detail: `${detail}: the queue needs Redis ${MIN_MAJOR} or later`,
    fix: `Upgrade Redis to ${MIN_MAJOR} or later (7 is tested).`,
  };
}

/** Any policy but noeviction lets Redis delete queued jobs and their locks when memory runs short. */
function evictionCheck(info: Map<string, string>): QueueCheck {
  const policy = info.get('maxmemory_policy') ?? 'unknown';
  if (policy === 'noeviction')
    return { check: 'queue memory', status: 'ok', detail: 'maxmemory-policy noeviction' };
  return {
    check: 'queue memory',
    status: 'warn',
    detail: `maxmemory-policy is ${policy}: when memory runs short Redis may delete queued tasks, their locks or results`,
    fix: 'Set maxmemory-policy noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, and the same in redis.conf; on a managed Redis, in its parameter group).',
  };
}

/** Without AOF a Redis restart loses the jobs since the last snapshot (or all, with no snapshots). */
function persistenceCheck(info: Map<string, string>): QueueCheck {
  if (info.get('aof_enabled') === '1')
    return { check: 'queue persistence', status: 'ok', detail: 'append-only file on' };
  return {
    check: 'queue persistence',
    status: 'warn',
    detail:
      'append-only file off: a Redis restart loses the tasks queued since its last snapshot (all of them without snapshots)',
    fix: 'Turn AOF on (redis-cli CONFIG SET appendonly yes, and appendonly yes with appendfsync everysec in redis.conf).',
  };
}
