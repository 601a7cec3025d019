/**
 * A queue URL (`queue.url`, CODEX_TASK_REDIS_URL) as it may be shown: the password replaced, whatever
 * else is wrong with the URL. Errors, logs and `runtime.queue.url` show only this.
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
