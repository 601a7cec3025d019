import { randomBytes } from 'node:crypto';

/**
 * Vendor-style ids (`msg_…`, `toolu_…`, `call_…`). A per-server random tag plus a counter: unique
 * within a server and across servers in one test run, without a crypto call per id.
 */
export interface IdGenerator {
  next(prefix: string): string;
}

export function createIdGenerator(): IdGenerator {
  const tag = randomBytes(6).toString('hex');
  let counter = 0;
  return {
    next(prefix) {
      counter += 1;
      return `${prefix}${tag}${counter.toString(36).padStart(6, '0')}`;
    },
  };
}
