import { RESILIENCE_DEFAULTS } from '../config/defaults/index.ts';
import type { BreakerConfig } from './endpoint.ts';

export interface RetryConfig {
  maxAttempts: number;
  maxRetryTimeMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  retryAfterCapMs: number;
  failoverAfterAttempts: number;
  failoverIfRetryAfterOverMs: number;
}

export interface TimeoutConfig {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
  callMs: number;
}

/** Everything the resilience layer can be told; defaults and their meaning in `config/defaults/resilience.ts`. */
export interface ResilienceConfig {
  retry: RetryConfig;
  breaker: BreakerConfig;
  timeouts: TimeoutConfig;
}

export interface ResilienceOptions {
  retry?: Partial<RetryConfig>;
  breaker?: Partial<BreakerConfig>;
  timeouts?: Partial<TimeoutConfig>;
}

export function resolveResilience(options: ResilienceOptions = {}): ResilienceConfig {
  const d = RESILIENCE_DEFAULTS;
  const config: ResilienceConfig = {
    retry: { ...d.retry, ...options.retry },
    breaker: { ...d.breaker, ...options.breaker },
    timeouts: { ...d.timeouts, ...options.timeouts },
  };
  for (const [group, values] of Object.entries(config)) {
    for (const [key, value] of Object.entries(values as Record<string, number>)) {
      if (!(typeof value === 'number' && value >= 0 && !Number.isNaN(value)))
        throw new RangeError(`resilience.${group}.${key} must be a non-negative number, got ${value}`);
    }
  }
  if (config.retry.maxAttempts < 1) throw new RangeError('resilience.retry.maxAttempts must be at least 1');
  return config;
}
