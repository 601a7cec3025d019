import type { ServerResponse } from 'node:http';
import type { Fault, ScriptFaults } from './types.ts';
import type { WireFormat } from './wire.ts';

const STATUS_MESSAGES: Record<number, string> = {
  429: 'Rate limit exceeded (scripted fault).',
  500: 'Internal server error (scripted fault).',
  502: 'Bad gateway (scripted fault).',
  503: 'Service unavailable (scripted fault).',
  529: 'Overloaded (scripted fault).',
};

/** Status errors: the vendor's error body unless the fault gives one (a string is sent as-is, e.g. an HTML 502 page). */
export function writeStatusFault(
  res: ServerResponse,
  fault: Fault & { kind: 'status' },
  wire: WireFormat,
): void {
  const given = fault.body;
  const body =
    typeof given === 'string'
      ? given
      : JSON.stringify(
          given ??
            wire.errorBody(
              fault.status,
              STATUS_MESSAGES[fault.status] ?? `HTTP ${fault.status} (scripted fault).`,
            ),
        );
  const headers: Record<string, string> = {
    'content-type': typeof given === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
  };
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  res.writeHead(fault.status, headers).end(body);
}

/** 200 and then garbage: a truncated JSON body, or an SSE event whose data is not JSON. */
export function writeMalformed(res: ServerResponse, stream: boolean): void {
  if (stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end('data: {"type":"scripted_malformed","delta":\n\n');
  } else {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"id":"scripted_malformed","content":[{"type":"te');
  }
}

/**
 * A seeded random fault mix (mulberry32): the same seed gives the same fault sequence, so a
 * reliability run that fails can be replayed. One draw per request, whether or not it faults.
 */
export function createFaultMix(config: ScriptFaults): () => Fault | undefined {
  let state = (config.seed ?? 1) >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const roll = random();
    const pick = random();
    return roll < config.rate ? config.kinds[Math.floor(pick * config.kinds.length)] : undefined;
  };
}
