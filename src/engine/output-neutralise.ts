/**
 * The instruction-shaped text a subagent can aim at its parent, and how each kind is defanged.
 * Kept separate from the guard's policy (output-guard.ts) so the patterns read as one list; the
 * character-level work (invisible characters, text hidden in tag characters) is in output-invisible.ts.
 */
import { isTagText, stripInvisible } from './output-invisible.ts';

export type NeutralisedKind = 'invisible' | 'marker' | 'role' | 'override';
const KIND_ORDER: readonly NeutralisedKind[] = ['invisible', 'marker', 'role', 'override'];

export interface NeutralisedFinding {
  kind: NeutralisedKind;
  count: number;
  /** Up to three distinct matches, as they read after neutralising (never a live marker). */
  examples: string[];
}

/**
 * Tag names models read as turns or tool traffic (Anthropic, OpenAI, Gemma, Qwen/Hermes), in any case;
 * role names in title case are left alone (`Array<User>`, `<User />`: code, not a turn).
 */
const TAG_NAMES = [
  'system(?:[-_](?:reminder|message|prompt|instructions?))?',
  'developer|user|assistant|human',
  'im_start|im_end|start_of_turn|end_of_turn',
  'function_results?|function_calls?|tool_results?|tool_use|tool_calls?|tool_response|invoke|instructions?',
  'antml:[\\w-]+',
].join('|');

/** Llama 2's and Mistral's bracketed tokens; in upper case only but `INST`, as `[system]` is an INI section, `[tool_calls]` a TOML table. */
const BRACKET_NAMES = 'INST|SYS|SYSTEM|ADMIN|DEVELOPER|AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS|TOOL_CONTENT';

/**
 * Chat-template and tool-protocol markers, matched on folded text (see `fold`). Spacing inside is
 * bounded, so a long run of spaces after a `<` costs linear time, not quadratic.
 */
const MARKER = new RegExp(
  [
    // `<system>`, `</ system >`, `<system\n role="x">`, `<start_of_turn>`; an opener left open counts too; a blank line ends a tag.
    `<\\s{0,16}\\/?\\s{0,16}(?:${TAG_NAMES})(?=[\\s>/]|$)(?:(?:[^<>\\n]|\\n(?![ \\t]*\\n)){0,200}>)?`,
    // Special tokens, any name: ChatML `<|im_start|>`, Llama 3 `<|eot_id|>`, Phi `<|end|>`, DeepSeek `<｜begin▁of▁sentence｜>`.
    '<\\s{0,16}\\|\\s{0,16}[\\w\\u2581.-]{1,40}\\s{0,16}\\|\\s{0,16}>',
    `\\[\\s{0,16}\\/?\\s{0,16}(?:${BRACKET_NAMES})(?:[ _](?:MESSAGE|PROMPT))?\\s{0,16}\\]`,
    '<<\\s{0,16}\\/?\\s{0,16}SYS\\s{0,16}>>',
  ].join('|'),
  'gi',
);

const ROLE_TAG = /^<\s*\/?\s*(user|assistant|human|developer)\b/i;
const TITLE_CASE = /^[A-Z][a-z]+$/;

/**
 * A bracketed token, from an opening bracket to the closing one on one line: with a combining mark on
 * one of its characters (`</function_results\u0338>`, `<sys\u0301tem>`) it is a marker the mark hides
 * from MARKER, not from a model, which reads the letters under it.
 */
const BRACKETED = /[<＜﹤[［][^\n<>[\]＜＞﹤﹥［］]{0,240}[>\]＞﹥］]?/gu;
const ASCII_MARKS = /([\t -~\uFF01-\uFF5E])\p{M}+/gu;
const MARK = /\p{M}/u;
const MARKER_AT = new RegExp(MARKER.source, 'iy');

/**
 * Containers a role line may sit in and still read as a turn: quotes (`> `), list items (`- `, `* `,
 * `1. `, `2) `), table cells (`| `), emphasis and headings (`**`, `_`, `#`).
 */
const ROLE_LEAD = String.raw`(?:[\p{Zs}\t>*_#|+•-]|\d{1,9}[.)])*`;
const ROLE_NAMES = ['human', 'assistant', 'user', 'system', 'developer'];
const rolePattern = (names: string[]) =>
  new RegExp(`^(${ROLE_LEAD})(${names.join('|')})([\\p{Zs}\\t*_]*):`, 'gimu');
/** A line that opens a conversation turn: `Human:`, `human:`, `**User:**`, `> Assistant:`, `- Human:`… */
const ROLE = rolePattern(ROLE_NAMES);
/**
 * The same, a combining mark allowed on any letter (`Hu\u0301man:` still reads as `Human:`); slower,
 * so used only on text that has a combining mark at all.
 */
const MARKED_ROLE = rolePattern(ROLE_NAMES.map((name) => [...name].map((ch) => `${ch}\\p{M}*`).join('')));
/** `user:`, `system:` and `developer:` in lower case are keys (YAML, configs, `- user: x` lists), not turns. */
const ROLE_KEY = /^(?:user|system|developer)$/;

/** Permission-mode words and the classic override phrases. */
const OVERRIDE = new RegExp(
  [
    '\\bbypassPermissions\\b',
    '\\bdangerously[-_ ]skip[-_ ]permissions\\b',
    '\\bdangerously[-_ ]bypass[-_ ]approvals[-_ ]and[-_ ]sandbox\\b',
    '\\bdanger[-_ ]full[-_ ]access\\b',
    '\\b(?:ignore|disregard|forget|override)\\s+(?:all\\s+|any\\s+)?(?:of\\s+)?(?:the\\s+|your\\s+)?(?:previous|prior|above|earlier|preceding|system)\\s+(?:instructions|prompts?|messages|rules|directions|guidelines)\\b',
    // One or two words before `mode`: "in developer mode", "in 'god' mode", "an unrestricted AI mode".
    '\\byou\\s+are\\s+now\\s+(?:in\\s+)?(?:an?\\s+|the\\s+)?[\'"]?[\\w-]+[\'"]?(?:\\s+[\'"]?[\\w-]+[\'"]?)?\\s+mode\\b',
    '\\b(?:enter|switch\\s+to|activate|enable)\\s+(?:developer|god|admin|jailbreak|unrestricted|DAN)\\s+mode\\b',
    '\\bnew\\s+system\\s+(?:prompt|instructions)\\b',
  ].join('|'),
  'gi',
);

const LOOKALIKE: Record<string, string> = {
  '<': '‹',
  '＜': '‹',
  '﹤': '‹',
  '>': '›',
  '＞': '›',
  '﹥': '›',
  '[': '⟦',
  '［': '⟦',
  ']': '⟧',
  '］': '⟧',
};

function defangMarker(marker: string): string {
  return marker.replace(/[<＜﹤>＞﹥[\]［］]/g, (ch) => LOOKALIKE[ch]!);
}

/** Full-width forms (＜, ｜, ［, ｓｙｓｔｅｍ, ：) and the small ﹤﹥ read as the ASCII they imitate. */
const WIDE = /[\uFF01-\uFF5E\uFE64\uFE65]/g;

/** One UTF-16 unit for one, so an offset in the folded text is the same offset in the original. */
function fold(text: string): string {
  return text.replace(WIDE, (ch) => {
    if (ch === '\uFE64') return '<';
    if (ch === '\uFE65') return '>';
    return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
  });
}

/** `text.replace(pattern, …)`, matched on the folded text; `replace` gets the match and the original slice. */
function rewrite(
  text: string,
  wide: boolean,
  pattern: RegExp,
  replace: (match: RegExpExecArray, original: string, folded: string) => string,
): string {
  const folded = wide ? fold(text) : text;
  let out = '';
  let last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(folded); m; m = pattern.exec(folded)) {
    const end = m.index + m[0].length;
    out += text.slice(last, m.index) + replace(m, text.slice(m.index, end), folded);
    last = end;
  }
  return last === 0 ? text : out + text.slice(last);
}

class Findings {
  readonly #byKind = new Map<NeutralisedKind, NeutralisedFinding>();

  add(kind: NeutralisedKind, example?: string, count = 1, maxChars = 60): void {
    let finding = this.#byKind.get(kind);
    if (!finding) {
      finding = { kind, count: 0, examples: [] };
      this.#byKind.set(kind, finding);
    }
    finding.count += count;
    if (example === undefined) return;
    const shown = example.length > maxChars ? `${example.slice(0, maxChars - 3)}...` : example;
    if (finding.examples.length < 3 && !finding.examples.includes(shown)) finding.examples.push(shown);
  }

  /** In a fixed order, so notices read the same whatever came first. */
  list(): NeutralisedFinding[] {
    return KIND_ORDER.flatMap((kind) => this.#byKind.get(kind) ?? []);
  }
}

/**
 * Neutralises `text`. Inside fenced code blocks only invisible characters and protocol markers
 * are touched: a fence is just text to a chat template, so a `</function_results>` escapes it, while
 * role labels and mode words in code are data (fixtures, configs, prompts being written). A fence
 * that is never closed does not count as code, or one opening fence would shelter everything after it.
 * Text hidden in tag characters is never data: it is shown, neutralised as prose, wherever it was.
 */
export function neutralise(text: string): { text: string; findings: NeutralisedFinding[] } {
  const findings = new Findings();
  const revealed: string[] = [];
  const { text: visible, removed } = stripInvisible(text, (hidden) => {
    const shown = `[hidden tag text: ${neutraliseVisible(hidden, false, findings)}]`;
    revealed.push(shown);
    return shown;
  });
  for (const shown of revealed) findings.add('invisible', shown, 0, 120);
  for (const code of removed) {
    findings.add(
      'invisible',
      isTagText(code) ? undefined : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
    );
  }
  const out = splitFenced(visible).map(({ code, text: part }) => neutraliseVisible(part, code, findings));
  return { text: out.join(''), findings: findings.list() };
}

function neutraliseVisible(text: string, code: boolean, findings: Findings): string {
  WIDE.lastIndex = 0;
  const wide = WIDE.test(text);
  const defang = (original: string) => {
    const defanged = defangMarker(original);
    findings.add('marker', defanged);
    return defanged;
  };
  let result = text;
  const marked = MARK.test(text);
  if (marked) {
    result = rewrite(result, false, BRACKETED, ([m], original) => {
      // The shortest markers (`<user`, `[SYS]`) have five characters, six with a mark.
      if (m.length < 5 || !MARK.test(m)) return original;
      MARKER_AT.lastIndex = 0;
      const bare = MARKER_AT.exec(fold(m.replace(ASCII_MARKS, '$1')));
      return bare && isLiveMarker(bare[0]) ? defang(original) : original;
    });
  }
  result = rewrite(result, wide, MARKER, ([m], original) => (isLiveMarker(m) ? defang(original) : original));
  if (code) return result;
  result = rewrite(result, wide, marked ? MARKED_ROLE : ROLE, ([, lead, role], original) => {
    if (ROLE_KEY.test(role!)) return original;
    const cut = lead!.length + role!.length;
    const quoted = `${original.slice(0, cut)} (quoted)${original.slice(cut)}`;
    findings.add('role', quoted.trim());
    return quoted;
  });
  return rewrite(result, wide, OVERRIDE, ({ 0: m, index: at }, original, whole) => {
    if (whole[at - 1] === '«' && whole[at + m.length] === '»') return original; // guarded one level down
    findings.add('override', `«${original}»`);
    return `«${original}»`;
  });
}

/** Not what it would be in lower case (`system` in the role-tag sense): a title-case role tag or a lower-case INI/TOML section. */
function isLiveMarker(m: string): boolean {
  const role = ROLE_TAG.exec(m)?.[1];
  if (role && TITLE_CASE.test(role)) return false;
  return !(m.startsWith('[') && !/inst/i.test(m) && m !== m.toUpperCase());
}

/**
 * Splits text into prose and closed fenced code blocks (``` or ~~~, CommonMark's rules: a backtick
 * fence's info string has no backtick, and only the same character, at least as long, closes it).
 */
export function splitFenced(text: string): { code: boolean; text: string }[] {
  const parts: { code: boolean; text: string }[] = [];
  const fence = /^ {0,3}(`{3,}(?=[^`\n]*$)|~{3,})[^\n]*$/gm;
  let proseStart = 0;
  for (let open = fence.exec(text); open; open = fence.exec(text)) {
    const marker = open[1]!;
    const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`, 'gm');
    close.lastIndex = open.index + open[0].length;
    const end = close.exec(text);
    if (!end) break;
    if (open.index > proseStart) parts.push({ code: false, text: text.slice(proseStart, open.index) });
    const after = end.index + end[0].length;
    parts.push({ code: true, text: text.slice(open.index, after) });
    proseStart = after;
    fence.lastIndex = after;
  }
  if (proseStart < text.length) parts.push({ code: false, text: text.slice(proseStart) });
  return parts;
}
