/**
 * Characters a person does not see but a model still reads. Inside a marker (`<sys\u200Btem>`) they
 * hide it from the patterns; as Unicode tag characters (each ASCII character + 0xE0000, "ASCII
 * smuggling") or runs of variation selectors they carry whole sentences no one sees.
 */

/**
 * Control characters but tab and line breaks, format characters (Cf), and every code point Unicode
 * says to draw as nothing (Default_Ignorable_Code_Point: soft hyphen, combining grapheme joiner,
 * Hangul fillers, variation selectors, tags…). Not the prepended concatenation marks, which are Cf
 * but drawn (the Arabic number sign, the end of ayah): visible, they hide nothing.
 * Written out rather than as `[[\p{Cc}\p{Cf}\p{DI}]--[…]]/v`, which scans 50k characters eight
 * times slower; output-invisible.test.ts checks the two sets are equal in the running Unicode version.
 */
export const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex lint/suspicious/noMisleadingCharacterClass: each invisible code point on its own is the point
  /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\xAD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFFB\u{13430}-\u{1343F}\u{1BCA0}-\u{1BCA3}\u{1D173}-\u{1D17A}\u{E0000}-\u{E0FFF}]+/gu;

const TAG_TEXT_FIRST = 0xe0020;
const TAG_TEXT_LAST = 0xe007e;
const BLACK_FLAG = '\u{1F3F4}';
/**
 * The subdivision flags Unicode recommends for general interchange (RGI), the only ones drawn as
 * flags: England, Scotland, Wales (🏴 + `gbeng` + cancel tag). Any other tag run after 🏴 is shown
 * as hidden text: every ISO 3166-2 code is a "valid" flag too, but none is drawn, and a chain of them
 * would carry a sentence five letters at a time.
 */
const SUBDIVISION =
  /^(?:\u{E0067}\u{E0062}(?:\u{E0065}\u{E006E}\u{E0067}|\u{E0073}\u{E0063}\u{E0074}|\u{E0077}\u{E006C}\u{E0073}))\u{E007F}/u;
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
const JOINS_EMOJI = /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F)$/u;
const KEYCAP_BASE = /^[0-9#*]$/;
/** Arabic to the Vedic extensions (Persian, the Indic scripts…), where ZWJ and ZWNJ choose a letter's form; never Latin or full-width. */
const JOINING_SCRIPT = /^[\u0600-\u1CFF]$/;
const LETTER = /^[\p{L}\p{M}]$/u;

export interface Stripped {
  text: string;
  /** Every code point removed, tag characters included. */
  removed: number[];
}

/**
 * Removes invisible characters but the few ordinary text needs (see `keeps`), and shows what a run of
 * tag characters spells, as `reveal` renders it, where the run was: removing it silently would hide
 * from the reader what the subagent tried to say.
 */
export function stripInvisible(text: string, reveal: (hidden: string) => string): Stripped {
  const removed: number[] = [];
  const stripped = text.replace(INVISIBLE, (run: string, at: number) => {
    let out = '';
    let hidden = '';
    let prev = charBefore(text, at);
    let rest = run;
    const flag = prev === BLACK_FLAG ? SUBDIVISION.exec(run) : null;
    if (flag) {
      out = flag[0];
      rest = run.slice(flag[0].length);
      prev = '\u{E007F}';
    }
    const chars = [...rest];
    const after = charAt(text, at + run.length);
    chars.forEach((ch, i) => {
      if (keeps(ch, prev, chars[i + 1] ?? after)) {
        if (hidden) out += reveal(hidden);
        hidden = '';
        out += ch;
        prev = ch;
        return;
      }
      const code = ch.codePointAt(0)!;
      removed.push(code);
      if (isTagText(code)) hidden += String.fromCharCode(code - 0xe0000);
    });
    return hidden ? out + reveal(hidden) : out;
  });
  return { text: stripped, removed };
}

export function isTagText(code: number): boolean {
  return code >= TAG_TEXT_FIRST && code <= TAG_TEXT_LAST;
}

/**
 * Emoji need a joiner between pictographs (👨‍👩‍👧) and one presentation selector after a pictograph
 * or keycap base (❤️, 1️⃣); Persian and the Indic scripts need ZWNJ/ZWJ between their letters. None of
 * these can fall inside a marker, whose letters are ASCII. `prev` is the last character kept, so a
 * second pass over the output keeps the same characters.
 */
function keeps(ch: string, prev: string, next: string): boolean {
  switch (ch) {
    case '\uFE0E':
    case '\uFE0F':
      return PICTOGRAPH.test(prev) || (KEYCAP_BASE.test(prev) && next === '\u20E3');
    case '\u200D':
      if (JOINS_EMOJI.test(prev) && PICTOGRAPH.test(next)) return true;
      return joinsLetters(prev, next);
    case '\u200C':
      return joinsLetters(prev, next);
    default:
      return false;
  }
}

function joinsLetters(prev: string, next: string): boolean {
  return JOINING_SCRIPT.test(prev) && JOINING_SCRIPT.test(next) && LETTER.test(prev) && LETTER.test(next);
}

function charBefore(text: string, at: number): string {
  if (at === 0) return '';
  const pair = at >= 2 ? text.codePointAt(at - 2)! : 0;
  return pair > 0xffff ? String.fromCodePoint(pair) : text.charAt(at - 1);
}

function charAt(text: string, at: number): string {
  const code = text.codePointAt(at);
  return code === undefined ? '' : String.fromCodePoint(code);
}
