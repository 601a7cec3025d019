import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../telemetry/index.ts';
import { toHttpError } from './api-app.ts';
import { HttpError } from './http-error.ts';

describe('toHttpError', () => {
  const redactor = createRedactor();

  it("keeps ours, takes Hono's status, and makes anything else a 500 whose message is redacted", () => {
    const ours = new HttpError(409, 'Conflict', 'busy');
    expect(toHttpError(ours, redactor)).toBe(ours);
    const hono = toHttpError(new HTTPException(400, { message: 'Malformed JSON in request body' }), redactor);
    expect(hono.body()).toEqual({
      error: { type: 'InvalidRequest', message: 'Malformed JSON in request body' },
    });
    expect(hono.status).toBe(400);
    const bug = toHttpError(
      new Error('the provider refused key sk-proj-abcdefghijklmnopqrstuvwxyz123456'),
      redactor,
    );
    expect(bug.status).toBe(500);
    expect(bug.type).toBe('InternalError');
    expect(bug.message).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });
});
