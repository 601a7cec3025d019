/**
 * The queue's Redis as a URL (`queue.url`, CODEX_TASK_REDIS_URL, `--redis`): `redis://` or
 * `rediss://` (TLS) for one server, `redis+sentinel://` or `rediss+sentinel://` for a primary found
 * through Redis Sentinel, the way ioredis finds it (its `sentinels` and `name` options):
 *
 *   redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/<primary name>[/<db>][?sentinelPassword=…]
 *
 * The user and password are the primary's; the sentinels' own password, when they have one, goes in
 * `sentinelPassword`. Sentinel's port is 26379 when none is given.
 */
const SECRET_PARAM = /pass|secret|token|key|auth/i;
const SENTINEL_PORT = 26379;

/** What a queue URL must look like (settings and `--redis` check it). */
export const REDIS_URL_PATTERN = /^rediss?(\+sentinel)?:\/\/.+/;
export const REDIS_URL_KINDS = 'a redis://, rediss:// or redis+sentinel:// URL';

/** The ioredis options of a Sentinel URL (a subset of ioredis' RedisOptions, kept free of its types). */
export interface SentinelTarget {
  sentinels: { host: string; port: number }[];
  /** The primary's name, as Sentinel monitors it. */
  name: string;
  username?: string;
  password?: string;
  sentinelPassword?: string;
  db?: number;
  /** `rediss+sentinel://`: TLS to the primary and to the sentinels. */
  tls?: Record<string, never>;
  enableTLSForSentinelMode?: boolean;
}

/**
 * Where a queue URL leads: `{ url }` for one server (ioredis reads it as it is), `{ sentinel }` for
 * a Sentinel URL. Throws an Error naming what is wrong with a Sentinel URL (never its password).
 */
export function redisTarget(url: string): { url: string } | { sentinel: SentinelTarget } {
  if (!/^rediss?\+sentinel:/.test(url.trim())) return { url };
  // The user-info ends at the authority's last `@` (a password may hold one), as WHATWG URLs read it.
  const match =
    /^(rediss?)\+sentinel:\/\/(?:([^/?#]*)@)?([^/?#@]+)\/([^/?#]+)(?:\/(\d+))?\/?(?:\?([^#]*))?$/.exec(
      url.trim(),
    );
  if (!match)
    throw new Error(
      `${redactRedisUrl(url)} is not a Sentinel URL: redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/<primary name>[/<db>]`,
    );
  const [, scheme, userinfo, hosts, name, db, query] = match;
  const sentinels = hosts!.split(',').map((entry, i) => {
    const hostPort = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry.trim());
    // Not echoed: a malformed URL may have put part of a password here.
    if (!hostPort) throw new Error(`${redactRedisUrl(url)}: sentinel #${i + 1} is not a host[:port]`);
    return { host: hostPort[1]!.replace(/^\[|\]$/g, ''), port: Number(hostPort[2] ?? SENTINEL_PORT) };
  });
  const target: SentinelTarget = { sentinels, name: decodeURIComponent(name!) };
  if (userinfo) {
    const [user = '', password] = userinfo.split(/:(.*)/s);
    if (user) target.username = decodeURIComponent(user);
    if (password) target.password = decodeURIComponent(password);
  }
  const sentinelPassword = queryValue(query, 'sentinelPassword');
  if (sentinelPassword) target.sentinelPassword = sentinelPassword;
  if (db !== undefined) target.db = Number(db);
  if (scheme === 'rediss') {
    target.tls = {};
    target.enableTLSForSentinelMode = true;
  }
  return { sentinel: target };
}

/**
 * A queue URL as it may be shown: the password replaced, whatever else is wrong with the URL.
 * Errors, logs and `runtime.queue.url` show only this.
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    // A Sentinel URL with several hosts is no WHATWG URL: below.
    if (/\+sentinel:$/.test(parsed.protocol) && parsed.host.includes(',')) throw new Error('hosts');
    if (parsed.password) parsed.password = '***';
    // ioredis also reads credentials from the query (`?password=`), as do TLS options' passphrases.
    for (const key of [...parsed.searchParams.keys()])
      if (SECRET_PARAM.test(key)) parsed.searchParams.set(key, '***');
    return parsed.toString();
  } catch {
    // Everything from `//` to the last `@` may be credentials (more is hidden rather than less).
    return url
      .replace(/\/\/.*@/s, '//***@')
      .replace(/([?&])([^=&#]+)=([^&#]*)/g, (m, sep: string, key: string) =>
        SECRET_PARAM.test(decoded(key)) ? `${sep}${key}=***` : m,
      );
  }
}

/** A query parameter's value, percent-decoded (`+` stays a plus: it is not a form). */
function queryValue(query: string | undefined, name: string): string | undefined {
  for (const pair of (query ?? '').split('&')) {
    const [key = '', value = ''] = pair.split(/=(.*)/s);
    if (decoded(key) === name) return decoded(value);
  }
  return undefined;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
