import { createHash } from 'node:crypto';
import { BoundedMap } from './bounded-map.ts';
import type { ParsedRequest } from './conversation.ts';
import type { ScriptedRequest } from './types.ts';
import { estimateTokens, promptText, requestChars } from './usage.ts';

/** One block of a prompt in the vendor's order (a tool, a system block, a message's content block). */
export interface CacheSegment {
  /** What the block counts as, in characters (the same measure as the request's input tokens). */
  chars: number;
  /** What makes the block this block: two requests share a prefix when these match block by block. */
  identity: string;
  /** Anthropic `cache_control` on this block. */
  breakpoint: boolean;
}

export interface CacheUsage {
  readTokens: number;
  writeTokens: number;
}

/** A lookup's result, and what to remember once the vendor would have processed the request. */
export interface CacheLookup {
  usage: CacheUsage;
  /** Stores this request's prefixes: call when the response starts, as the vendors make entries readable then. */
  commit(): void;
}

export interface PromptCacheOptions {
  /** Shortest cacheable prefix, in tokens (Anthropic: 1,024 to 4,096 by model; OpenAI: 1,024; Gemini: 1,024 to 4,096). */
  minTokens?: number;
  /** Prefix entries kept (oldest forgotten first). */
  maxEntries?: number;
}

/** OpenAI caches the first 1,024 tokens and then in 128-token steps. */
const AUTOMATIC_STEP_TOKENS = 128;
/** Anthropic looks for an earlier entry up to this many blocks before each breakpoint. */
const LOOKBACK_BLOCKS = 20;
const NO_CACHE: CacheLookup = { usage: { readTokens: 0, writeTokens: 0 }, commit: () => {} };

/**
 * The vendors' prompt caches, played deterministically: a prefix is cached once a request carrying
 * it has been answered, entries never expire (no TTL: the server's lifetime is a test's), and
 * tokens are the server's ~4 characters a token. One per server, keyed by vendor and model.
 *
 * - Explicit (Anthropic): only prefixes ending at a `cache_control` block are written; a request
 *   reads the longest cached prefix ending at or up to 20 blocks before one of its breakpoints, and
 *   writes from there to its last breakpoint.
 * - Automatic (OpenAI, Gemini): every request's prefix is cached, 1,024 tokens and then every 128;
 *   a request reads the longest cached one. Nothing is reported as written.
 */
export class PromptCache {
  readonly #minTokens: number;
  readonly #entries: BoundedMap<string, true>;

  constructor(options: PromptCacheOptions = {}) {
    this.#minTokens = options.minTokens ?? 1024;
    this.#entries = new BoundedMap(options.maxEntries ?? 100_000);
  }

  /** What the request's vendor would find in its cache (the vendor's cache is shared by its wire formats). */
  lookup(parsed: ParsedRequest, req: ScriptedRequest): CacheLookup {
    if (req.format === 'anthropic')
      return this.explicit(`anthropic|${req.model}`, parsed.cacheSegments ?? []);
    if (requestChars(req) < this.#minTokens * 4) return NO_CACHE;
    const vendor = req.format === 'gemini' ? 'google' : 'openai';
    return this.automatic(`${vendor}|${req.model}`, promptText(req));
  }

  explicit(namespace: string, segments: readonly CacheSegment[]): CacheLookup {
    if (!segments.some((s) => s.breakpoint)) return NO_CACHE;
    const hashes: string[] = [];
    const tokens: number[] = [];
    let hash = digest(namespace);
    let chars = 0;
    for (const segment of segments) {
      hash = digest(hash + segment.identity);
      chars += segment.chars;
      hashes.push(hash);
      tokens.push(estimateTokens(chars));
    }
    const breakpoints = segments.flatMap((s, i) =>
      s.breakpoint && tokens[i]! >= this.#minTokens ? [i] : [],
    );
    let read = 0;
    for (const b of breakpoints) {
      for (let i = b; i >= Math.max(0, b - LOOKBACK_BLOCKS); i--) {
        if (this.#entries.get(hashes[i]!)) {
          read = Math.max(read, tokens[i]!);
          break;
        }
      }
    }
    const last = breakpoints.at(-1);
    const written = last === undefined ? 0 : Math.max(0, tokens[last]! - read);
    return {
      usage: { readTokens: read, writeTokens: written },
      commit: () => {
        for (const b of breakpoints) this.#entries.set(hashes[b]!, true);
      },
    };
  }

  automatic(namespace: string, prompt: string): CacheLookup {
    const minChars = this.#minTokens * 4;
    if (prompt.length < minChars) return NO_CACHE;
    const hashes: string[] = [];
    const ends: number[] = [];
    let hash = digest(namespace);
    let start = 0;
    for (let end = minChars; end <= prompt.length; end += AUTOMATIC_STEP_TOKENS * 4) {
      hash = digest(hash + prompt.slice(start, end));
      hashes.push(hash);
      ends.push(end);
      start = end;
    }
    let hits = 0;
    while (hits < hashes.length && this.#entries.get(hashes[hits]!)) hits++;
    return {
      usage: { readTokens: hits === 0 ? 0 : ends[hits - 1]! / 4, writeTokens: 0 },
      commit: () => {
        for (const h of hashes) this.#entries.set(h, true);
      },
    };
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}
