import { createHash, randomBytes } from 'node:crypto';

export interface SessionOptions {
  /** How long a login link's code may be redeemed (once). */
  linkTtlMs: number;
  /** How long a session lasts from login (absolute: no sliding renewal). */
  sessionTtlMs: number;
  /** Outstanding codes and live sessions together, at most: past it new codes are refused. */
  max: number;
  /** Event streams one holder (a session, or the token's programs) may keep open. */
  streamsPerHolder?: number;
  /** Event streams open in all. */
  streams?: number;
  now?: () => number;
}

/** An open event stream's place: `signal` aborts when its session ends or expires; `release` frees it. */
export interface StreamLease {
  readonly signal: AbortSignal;
  release(): void;
}

interface Session {
  expiresAt: number;
  /** The digest of the code that opened it (a second redemption of that code ends it). */
  code: string;
  streams: Set<AbortController>;
}

/** Longest a timer may wait (setTimeout's 32-bit limit). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The dashboard's one-time login codes and the sessions they open, in memory (a restart logs
 * everyone out). Both are 256-bit random values handed out once and kept only as SHA-256 digests,
 * so a lookup's timing says nothing about a stored value and a heap dump holds no usable secret.
 *
 * Full is full: past `max` a new code is refused rather than a live session pushed out (eviction
 * would let whoever can ask for links log everyone else out). A code counts from issue, so a
 * redemption always has room. A code redeemed a second time is a stolen one (or a replay): the
 * session its first redemption opened ends, whoever holds it.
 */
export class DashboardSessions {
  readonly #codes = new Map<string, number>();
  readonly #sessions = new Map<string, Session>();
  /** Redeemed codes → the session each opened, while it lives. */
  readonly #spent = new Map<string, string>();
  readonly #holders = new Map<string, Set<AbortController>>();
  #streams = 0;
  readonly #options: Required<SessionOptions>;

  constructor(options: SessionOptions) {
    this.#options = { now: Date.now, streamsPerHolder: 8, streams: 64, ...options };
  }

  /** A new login code, valid once within `linkTtlMs`; undefined when codes and sessions are at `max`. */
  issueCode(): { code: string; expiresAt: number } | undefined {
    this.#sweep();
    if (this.#codes.size + this.#sessions.size >= this.#options.max) return undefined;
    const code = secret();
    const expiresAt = this.#options.now() + this.#options.linkTtlMs;
    this.#codes.set(digest(code), expiresAt);
    return { code, expiresAt };
  }

  /**
   * Consumes a code: a new session secret when it was valid (and never again), else undefined. A
   * code already spent ends the session it opened.
   */
  redeem(code: string): { sessionId: string; expiresAt: number } | undefined {
    const key = digest(code);
    const stolen = this.#spent.get(key);
    if (stolen !== undefined) {
      this.#endKey(stolen);
      return undefined;
    }
    const expiresAt = this.#codes.get(key);
    this.#codes.delete(key);
    if (expiresAt === undefined || expiresAt <= this.#options.now()) return undefined;
    const sessionId = secret();
    const sessionExpiresAt = this.#options.now() + this.#options.sessionTtlMs;
    const id = digest(sessionId);
    this.#sessions.set(id, { expiresAt: sessionExpiresAt, code: key, streams: new Set() });
    this.#spent.set(key, id);
    return { sessionId, expiresAt: sessionExpiresAt };
  }

  valid(sessionId: string): boolean {
    return this.#live(digest(sessionId)) !== undefined;
  }

  end(sessionId: string): void {
    this.#endKey(digest(sessionId));
  }

  /**
   * A place for one event stream of `sessionId` (undefined: a program with the token, limited as
   * one holder). `'holder'` or `'server'` when that one's streams, or all, are at their limit.
   */
  openStream(sessionId: string | undefined): StreamLease | 'holder' | 'server' {
    const id = sessionId === undefined ? undefined : digest(sessionId);
    const session = id === undefined ? undefined : this.#live(id);
    if (id !== undefined && !session) return 'holder';
    const holderKey = id ?? 'token';
    let held = session?.streams ?? this.#holders.get(holderKey);
    if (!held) {
      held = new Set();
      this.#holders.set(holderKey, held);
    }
    if (held.size >= this.#options.streamsPerHolder) return 'holder';
    if (this.#streams >= this.#options.streams) return 'server';
    const controller = new AbortController();
    const streams = held;
    streams.add(controller);
    this.#streams += 1;
    // Expiry closes the stream at once: the session is checked when a stream opens, and again here.
    const expiry = session
      ? setTimeout(() => controller.abort(), Math.min(session.expiresAt - this.#options.now(), MAX_TIMER_MS))
      : undefined;
    expiry?.unref();
    let released = false;
    return {
      signal: controller.signal,
      release: () => {
        if (released) return;
        released = true;
        clearTimeout(expiry);
        streams.delete(controller);
        this.#streams -= 1;
        if (streams.size === 0) this.#holders.delete(holderKey);
      },
    };
  }

  #live(id: string): Session | undefined {
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt > this.#options.now()) return session;
    this.#endKey(id);
    return undefined;
  }

  #endKey(id: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    this.#spent.delete(session.code);
    for (const stream of session.streams) stream.abort();
  }

  #sweep(): void {
    const now = this.#options.now();
    for (const [k, at] of this.#codes) if (at <= now) this.#codes.delete(k);
    for (const [k, s] of this.#sessions) if (s.expiresAt <= now) this.#endKey(k);
  }
}

const secret = () => randomBytes(32).toString('base64url');
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');
