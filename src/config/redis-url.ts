/**
 * A queue URL (`queue.url`, CODEX_TASK_REDIS_URL) as it may be shown: the password replaced, whatever
 * else is wrong with the URL. Errors, logs and `runtime.queue.url` show only this.
 */
const SECRET_PARAM = /pass|secret|token|key|auth/i;

export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // ioredis also reads credentials from the query (`?password=`), as do TLS options' passphrases.
    for (const key of [...parsed.searchParams.keys()])
      if (SECRET_PARAM.test(key)) parsed.searchParams.set(key, '***');
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
