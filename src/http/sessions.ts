import { createHash, randomBytes } from 'node:crypto';

export interface SessionOptions {
  /** How long a login link's code may be redeemed (once). */
  linkTtlMs: number;
  /** How long a session lasts from login (absolute: no sliding renewal). */
  sessionTtlMs: number;
  /** Outstanding codes and live sessions kept at most; the oldest go first past it. */
  max: number;
  now?: () => number;
}

/**
 * The dashboard's one-time login codes and the sessions they open, in memory (a restart logs
 * everyone out). Both are 256-bit random values handed out once and kept only as SHA-256 digests,
 * so a lookup's timing says nothing about a stored value and a heap dump holds no usable secret.
 */
export class DashboardSessions {
  readonly #codes = new Map<string, number>();
  readonly #sessions = new Map<string, number>();
  readonly #options: Required<SessionOptions>;

  constructor(options: SessionOptions) {
    this.#options = { now: Date.now, ...options };
  }

  /** A new login code, valid once within `linkTtlMs`. */
  issueCode(): { code: string; expiresAt: number } {
    const code = secret();
    const expiresAt = this.#options.now() + this.#options.linkTtlMs;
    this.#put(this.#codes, digest(code), expiresAt);
    return { code, expiresAt };
  }

  /** Consumes a code: a new session id when it was valid (and never again), else undefined. */
  redeem(code: string): { sessionId: string; expiresAt: number } | undefined {
    const key = digest(code);
    const expiresAt = this.#codes.get(key);
    this.#codes.delete(key);
    if (expiresAt === undefined || expiresAt <= this.#options.now()) return undefined;
    const sessionId = secret();
    const sessionExpiresAt = this.#options.now() + this.#options.sessionTtlMs;
    this.#put(this.#sessions, digest(sessionId), sessionExpiresAt);
    return { sessionId, expiresAt: sessionExpiresAt };
  }

  valid(sessionId: string): boolean {
    const key = digest(sessionId);
    const expiresAt = this.#sessions.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.#options.now()) return true;
    this.#sessions.delete(key);
    return false;
  }

  end(sessionId: string): void {
    this.#sessions.delete(digest(sessionId));
  }

  #put(map: Map<string, number>, key: string, expiresAt: number): void {
    const now = this.#options.now();
    for (const [k, at] of map) if (at <= now) map.delete(k);
    // Maps iterate in insertion order: the first key is the oldest.
    while (map.size >= this.#options.max) map.delete(map.keys().next().value!);
    map.set(key, expiresAt);
  }
}

const secret = () => randomBytes(32).toString('base64url');
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');
