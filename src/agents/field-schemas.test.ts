import { describe, expect, it } from 'vitest';
import { checkField, FIELD_RULES, fieldSchema, parseDuration } from './field-schemas.ts';

const SAMPLES: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'x',
  ' padded ',
  'sonnet',
  'plan',
  'bypassPermissions',
  'Read, Grep',
  ['Read', 'Grep'],
  ['Read', 1],
  [],
  0,
  1,
  -1,
  1.5,
  2,
  2.5,
  20,
  Number.MAX_SAFE_INTEGER + 2,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  {},
  '90s',
  '5m',
  '1500',
];

describe('field rules', () => {
  it.each(Object.keys(FIELD_RULES))(
    '%s: the fast check accepts only what the zod schema accepts unchanged',
    (field) => {
      const rule = FIELD_RULES[field]!;
      let accepted = 0;
      for (const value of SAMPLES) {
        if (!rule.fast(value)) continue;
        accepted++;
        const parsed = fieldSchema(field).safeParse(value);
        expect(parsed.success, `${field}: ${JSON.stringify(value)}`).toBe(true);
        expect(parsed.data, `${field}: ${JSON.stringify(value)}`).toEqual(value);
      }
      expect(accepted, 'the fast check should take the common valid values').toBeGreaterThan(0);
    },
  );

  it('goes through the schema for what the fast check leaves, transforms included', () => {
    expect(checkField('timeout', '90s')).toEqual({ ok: true, value: 90_000 });
    expect(checkField('name', ' padded ')).toEqual({ ok: true, value: 'padded' });
    expect(checkField('timeout', '0s')).toEqual({ ok: false });
    expect(checkField('maxTurns', Number.MAX_SAFE_INTEGER + 2)).toEqual({ ok: false });
    expect(checkField('tools', ['Read', 1])).toEqual({ ok: false });
  });

  it('reads durations', () => {
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('90 s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('5 minutes')).toBeNaN();
    expect(parseDuration('-5s')).toBeNaN();
  });
});
