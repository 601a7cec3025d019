/**
 * The instruction-shaped text a subagent can aim at its parent, and how each kind is defanged.
 * Kept separate from the guard's policy (output-guard.ts) so the patterns read as one list.
 */

export type NeutralisedKind = 'invisible' | 'marker' | 'role' | 'override';
const KIND_ORDER: readonly NeutralisedKind[] = ['invisible', 'marker', 'role', 'override'];

export interface NeutralisedFinding {
  kind: NeutralisedKind;
  count: number;
  /** Up to three distinct matches, as they read after neutralising (never a live marker). */
  examples: string[];
}

/** Zero-width and bidi controls (text that reads differently than it parses) and C0 controls but tab/newline. */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

const TAG_NAMES =
  'system(?:[-_](?:reminder|message|prompt|instructions?))?|developer|user|assistant|human|im_start|im_end|function_results?|function_calls?|tool_results?|tool_use|tool_calls?|tool_response|invoke|instructions?|antml:[\\w-]+';

/** Chat-template and tool-protocol markers: `<system>`, `</function_results>`, `<|im_start|>`, `[INST]`, `<<SYS>>`. */
const MARKER = new RegExp(
  [
    `[<＜]\\s*\\/?\\s*(?:${TAG_NAMES})(?=[\\s>＞/])[^<>＜＞\\n]{0,200}[>＞]`,
    '[<＜]\\|[\\w-]{1,40}\\|[>＞]',
    '\\[\\/?(?:SYSTEM|INST|SYS|ADMIN|DEVELOPER)(?: MESSAGE| PROMPT)?\\]',
    '<<\\/?SYS>>',
  ].join('|'),
  'gi',
);

/** Role tags count in lower case only, `[SYSTEM]`-style markers in upper case; the others in any case. */
const ROLE_TAG = /^[<＜]\s*\/?\s*(user|assistant|human|developer)\b/i;

/** A line that opens a conversation turn: `Human:`, `**User:**`, `> Assistant:`… */
const ROLE =
  /^([ \t>*_#]*)(Human|Assistant|User|System|Developer|HUMAN|ASSISTANT|USER|SYSTEM|DEVELOPER)([ \t*_]*):/gm;

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

const LOOKALIKE: Record<string, string> = { '<': '‹', '＜': '‹', '>': '›', '＞': '›', '[': '⟦', ']': '⟧' };

function defangMarker(marker: string): string {
  return marker.replace(/[<＜>＞[\]]/g, (ch) => LOOKALIKE[ch]!);
}

class Findings {
  readonly #byKind = new Map<NeutralisedKind, NeutralisedFinding>();

  add(kind: NeutralisedKind, example: string): void {
    let finding = this.#byKind.get(kind);
    if (!finding) {
      finding = { kind, count: 0, examples: [] };
      this.#byKind.set(kind, finding);
    }
    finding.count++;
    const shown = example.length > 60 ? `${example.slice(0, 57)}...` : example;
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
 */
export function neutralise(text: string): { text: string; findings: NeutralisedFinding[] } {
  const findings = new Findings();
  const visible = text.replace(INVISIBLE, (ch) => {
    findings.add('invisible', `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    return '';
  });
  const out = splitFenced(visible).map(({ code, text: part }) => {
    let result = part.replace(MARKER, (m) => {
      const role = ROLE_TAG.exec(m)?.[1];
      if (role && role !== role.toLowerCase()) return m;
      if (m.startsWith('[') && m !== m.toUpperCase()) return m; // `[system]`: an INI section // `Array<Assistant>`: a type, not a turn
      const defanged = defangMarker(m);
      findings.add('marker', defanged);
      return defanged;
    });
    if (code) return result;
    result = result.replace(ROLE, (_, lead: string, role: string, gap: string) => {
      const quoted = `${lead}${role} (quoted)${gap}:`;
      findings.add('role', quoted.trim());
      return quoted;
    });
    return result.replace(OVERRIDE, (m, at: number, whole: string) => {
      if (whole[at - 1] === '«' && whole[at + m.length] === '»') return m; // guarded one level down
      findings.add('override', `«${m}»`);
      return `«${m}»`;
    });
  });
  return { text: out.join(''), findings: findings.list() };
}

/** Splits text into prose and closed fenced code blocks (``` or ~~~, CommonMark's closing rule). */
export function splitFenced(text: string): { code: boolean; text: string }[] {
  const parts: { code: boolean; text: string }[] = [];
  const fence = /^ {0,3}(`{3,}|~{3,})[^\n]*$/gm;
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
