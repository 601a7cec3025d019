import { describe, expect, it } from 'vitest';
import { argumentsHash } from './task-calls.ts';

describe('argumentsHash (which Task calls count as the one that streamed)', () => {
  it('does not depend on how the arguments were serialised', () => {
    const a = argumentsHash('{"description":"nap","prompt":"nap","subagent_type":"napper"}');
    expect(argumentsHash('{ "subagent_type": "napper", "prompt": "nap", "description": "nap" }')).toBe(a);
    expect(argumentsHash({ prompt: 'nap', description: 'nap', subagent_type: 'napper' })).toBe(a);
  });

  it('differs when anything in them differs', () => {
    const a = argumentsHash('{"description":"nap","prompt":"nap"}');
    expect(argumentsHash('{"description":"nap","prompt":"nap!"}')).not.toBe(a);
    expect(argumentsHash('{"description":"nap","prompt":"nap","extra":null}')).not.toBe(a);
    expect(argumentsHash('{"description":"nap","prompt":["nap"]}')).not.toBe(a);
    // Text that is not JSON is compared as it is, and never equals the JSON it looks like.
    expect(argumentsHash('{"description":"nap","prompt":"nap"')).not.toBe(a);
    expect(argumentsHash('"x"')).not.toBe(argumentsHash('x'));
  });
});
