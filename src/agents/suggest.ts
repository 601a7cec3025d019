import { distance } from 'fastest-levenshtein';

/**
 * The candidates nearest to `word` (case-insensitive), for "did you mean …?" hints. The distance
 * cap grows with the word so long names tolerate more typos, but short words do not match anything.
 */
export function nearest(word: string, candidates: readonly string[], limit = 3): string[] {
  const lower = word.toLowerCase();
  const cap = Math.max(2, Math.floor(lower.length / 3));
  let best = cap + 1;
  let found: string[] = [];
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < best) {
      best = d;
      found = [candidate];
    } else if (d === best && !found.includes(candidate)) {
      found.push(candidate);
    }
  }
  if (found.length === 0 && lower.length >= 3) {
    // Abbreviations (`bypass` for `bypassPermissions`) are far in edit distance but obvious to a reader.
    found = candidates.filter((c) => c.toLowerCase().startsWith(lower));
  }
  return found.slice(0, limit);
}

/** "did you mean `a`?" / "did you mean `a` or `b`?" — or undefined when nothing is close. */
export function didYouMean(words: readonly string[]): string | undefined {
  if (words.length === 0) return undefined;
  return `did you mean ${words.map((w) => `\`${w}\``).join(' or ')}?`;
}

/** `Code Reviewer`, `code_reviewer`, `codeReviewer` → `code-reviewer`: the name a file should use (dots kept). */
export function toAgentName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
}
