/** Provider resilience (models/): the one retry loop, circuit breakers, failover and timeouts. */
export const RESILIENCE_DEFAULTS = {
  retry: {
    /** Attempts of one model turn, across all candidates of its failover chain. */
    maxAttempts: 8,
    /** Time one model turn may spend retrying before it gives up with ProviderUnavailable (DESIGN: ≤ 30 s). */
    maxRetryTimeMs: 30_000,
    /** Exponential backoff with jitter: first delay, cap. */
    initialDelayMs: 250,
    maxDelayMs: 8_000,
    /** The longest Retry-After / retry-after-ms honoured; a longer one is cut to this. */
    retryAfterCapMs: 60_000,
    /** Failed attempts on one candidate before moving to the next of its chain (when there is one). */
    failoverAfterAttempts: 2,
    /** A Retry-After longer than this moves to the next candidate at once (when there is one). */
    failoverIfRetryAfterOverMs: 2_000,
  },
  /**
   * Circuit breaker per provider endpoint: it opens on either condition. Sized so a provider
   * failing one call in five at random (the reliability bench's mix) does not trip it at 200 calls
   * in flight, while a provider that is down trips it within its first ten calls.
   */
  breaker: {
    /** Consecutive availability failures that open the circuit (a region down trips it at once). */
    consecutiveFailures: 10,
    /** Or this share of availability failures among the last `windowSize` calls (at least `minimumCalls`). */
    failureRate: 0.5,
    windowSize: 50,
    minimumCalls: 20,
    /** Cool-down before one probe call is let through (half-open). */
    halfOpenAfterMs: 5_000,
  },
  /** Per model call (one HTTP request), all bounded. */
  timeouts: {
    /** TCP/TLS connect. */
    connectMs: 10_000,
    /** Request sent → response headers. Non-streaming replies send headers only when the turn is done. */
    firstByteMs: 180_000,
    /** Longest silence between two body chunks (streams). */
    idleMs: 60_000,
    /** Whole call, one attempt. */
    callMs: 600_000,
  },
} as const;
