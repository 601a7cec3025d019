// A leaf module, not config/index.ts: telemetry is the lowest layer and must not pull config's imports.
import { CREDENTIAL_TOKEN_PATTERNS } from '../config/credential-patterns.ts';

/**
 * Secrets never leave the process through a log line, a run record, a span or an event stream:
 * every string those carry passes through a Redactor first. It knows three kinds of secret —
 * values under secret-looking keys, text that looks like a credential (vendor key formats, bearer
 * tokens, `NAME=value` assignments) and exact values it was told about (the API keys in the env).
 */

export const REDACTED = '[REDACTED]';

/** Object keys whose string values are always secrets (compared lower-cased, without `-` and `_`). */
const SECRET_KEY =
  /(?:apikey|secret|password|passwd|token|accesskey|privatekey|credentials?|authorization|cookie)$/;

/**
 * Credential shapes in free text. Each alternative is a whole secret except the assignment, whose
 * name (group 1) and separator (group 2) are kept so a reader still sees *what* was redacted.
 */
const TEXT_PATTERNS = [
  // NAME=value, "apiKey": "value", password: value — the value needs a letter, so `max_tokens: 4096` stays.
  /\b([A-Za-z0-9_.-]*(?:api[_-]?key|apikey|secret|token|password|passwd)[A-Za-z0-9_-]*)(["']?\s*[:=]\s*["']?)(?=[^\s'"]*[A-Za-z])[^\s'"&,;}]{6,}/gi
    .source,
  // A digit is required so prose ("Basic authentication") is left alone.
  /\b(Bearer|Basic)(\s+)(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{8,}/.source,
  ...CREDENTIAL_TOKEN_PATTERNS.map((p) => p.source),
];

export interface RedactorOptions {
  /** Exact secret values to remove wherever they appear (e.g. the configured API keys). */
  secrets?: Iterable<string | undefined>;
  /** More credential shapes, redacted whole. */
  patterns?: RegExp[];
}

export interface Redactor {
  text(value: string): string;
  /**
   * A deep copy with every string redacted and every secret-keyed value replaced. The same object
   * gives the same (shared) copy: treat it as read-only.
   */
  value<T>(value: T): T;
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  // Longest first, so a secret that contains another is removed whole.
  const secrets = [...new Set([...(options.secrets ?? [])].filter((s): s is string => !!s && s.length >= 8))]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp);
  const sources = [...secrets, ...TEXT_PATTERNS, ...(options.patterns ?? []).map((p) => p.source)];
  const pattern = new RegExp(sources.map((s) => `(?:${s})`).join('|'), 'gi');
  // Groups 1–2 (assignment) and 3–4 (bearer) are the only capturing groups before user patterns:
  // secrets are escaped, so they capture nothing.
  const replacer = (_match: string, ...groups: unknown[]) => {
    if (typeof groups[0] === 'string') return `${groups[0]}${groups[1]}${REDACTED}`;
    if (typeof groups[2] === 'string') return `${groups[2]}${groups[3]}${REDACTED}`;
    return REDACTED;
  };
  // Cheap pre-check: most strings (file contents, prose) hold no secret and skip the replace.
  const scan = (value: string): string => {
    pattern.lastIndex = 0;
    if (!pattern.test(value)) return value;
    pattern.lastIndex = 0;
    return value.replace(pattern, replacer);
  };
  // One event reaches the store, the logs, the audit log, the spans and the SSE stream, each of
  // which redacts the same tool input and output: remember the last results instead of rescanning.
  const texts = new Map<string, string>();
  const text = (value: string): string => {
    if (value.length < 16) return scan(value);
    let out = texts.get(value);
    if (out === undefined) {
      if (texts.size >= 64) texts.clear();
      out = scan(value);
      texts.set(value, out);
    }
    return out;
  };
  const values = new WeakMap<object, unknown>();
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return text(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth > 20) return '[…]';
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
    if (value instanceof Error) return walk({ type: value.name, message: value.message }, depth);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = typeof v === 'string' && isSecretKey(key) ? REDACTED : walk(v, depth + 1);
    }
    return out;
  };
  const value = <T>(input: T): T => {
    if (input === null || typeof input !== 'object') return walk(input, 0) as T;
    let out = values.get(input);
    if (out === undefined) {
      out = walk(input, 0);
      values.set(input, out);
    }
    return out as T;
  };
  return { text, value };
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replaceAll(/[-_]/g, ''));
}

/**
 * The values of environment variables named like secrets (`*_API_KEY`, `*_TOKEN`, `*SECRET*`,
 * `*PASSWORD*`): redacted by exact value even where no pattern would recognise them.
 */
export function secretsFromEnv(env: Record<string, string | undefined> = process.env): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value && value.length >= 8 && /KEY|TOKEN|SECRET|PASSWORD|PASSWD/i.test(name))
    .map(([, value]) => value as string);
}

/**
 * At most `max` characters, marked when cut. Redaction runs on a little more than is kept, so a
 * secret straddling the cut is still recognised whole and never leaks as a prefix.
 */
export function redactAndTruncate(redactor: Redactor, value: string, max: number): string {
  if (value.length <= max) return redactor.text(value);
  const redacted = redactor.text(value.slice(0, max + 256));
  return `${redacted.slice(0, max)}… [${value.length - max} more characters]`;
}

/** A redacted deep copy whose strings are cut to `max` characters (for stored transcripts). */
export function redactBounded<T>(redactor: Redactor, value: T, max: number): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactAndTruncate(redactor, v, max);
    if (v === null || typeof v !== 'object' || depth > 20) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  return walk(redactor.value(value), 0) as T;
}

/** A one-line, bounded, redacted rendering of tool arguments (for logs, the audit log and spans). */
export function summarizeArgs(redactor: Redactor, input: unknown, max: number): string {
  let json: string;
  try {
    json = JSON.stringify(redactor.value(input)) ?? 'undefined';
  } catch {
    json = String(input);
  }
  return json.length <= max ? json : `${json.slice(0, max)}…`;
}

function escapeRegExp(text: string): string {
  return text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
