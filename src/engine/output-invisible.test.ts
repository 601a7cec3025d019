import { describe, expect, it } from 'vitest';
import { INVISIBLE } from './output-invisible.ts';

describe('INVISIBLE', () => {
  it('is exactly Cc, Cf and Default_Ignorable_Code_Point but tab, line breaks and the drawn concatenation marks', () => {
    const property =
      /^[[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]--[\t\n\r\u0600-\u0605\u06DD\u070F\u0890\u0891\u08E2\u{110BD}\u{110CD}]]$/v;
    const listed = new RegExp(`^${INVISIBLE.source.slice(0, -1)}$`, 'u');
    const differ: string[] = [];
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const ch = String.fromCodePoint(code);
      if (property.test(ch) !== listed.test(ch)) differ.push(`U+${code.toString(16).toUpperCase()}`);
    }
    expect(differ).toEqual([]);
  });
});
