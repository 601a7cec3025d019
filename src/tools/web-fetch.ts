import { z } from 'zod';
import { ToolDeniedError } from '../errors/index.ts';
import { defineTool } from './define-tool.ts';
import { STRICT_TOOL_PERMISSIONS } from './permissions.ts';
import type { ToolContext, ToolSpec } from './types.ts';
import { fetchPage, type MarkdownConverter, type ResolveHost, sharedMarkdownConverter } from './web/index.ts';
import { WEB_FETCH_DESCRIPTION } from './web-fetch.description.ts';

const inputSchema = z.object({
  url: z.string().min(1).describe('The URL to fetch content from'),
  prompt: z.string().min(1).describe('The prompt to run on the fetched content'),
});
export type WebFetchInput = z.infer<typeof inputSchema>;

export interface WebFetchToolOptions {
  /** Replaces the system resolver (tests script DNS answers with it, e.g. a rebinding name). */
  resolve?: ResolveHost;
  userAgent?: string;
  /** Certificates (PEM) trusted besides the default CAs: the tests' self-signed https servers. */
  trustedCertificates?: readonly string[];
  /** Where HTML becomes Markdown: the process's shared worker threads unless given. */
  converter?: MarkdownConverter;
}

const NOTES_ROOM = 500;
const USER_AGENT = 'codex-task (WebFetch; +https://www.npmjs.com/package/codex-task)';

export function createWebFetchTool(options: WebFetchToolOptions = {}): ToolSpec<WebFetchInput> {
  return defineTool<WebFetchInput>({
    name: 'WebFetch',
    description: WEB_FETCH_DESCRIPTION,
    inputSchema,
    readOnly: true,
    async execute(input, ctx) {
      const permissions = ctx.permissions ?? STRICT_TOOL_PERMISSIONS;
      const deadline = AbortSignal.timeout(ctx.limits.webFetchTimeoutMs);
      const page = await fetchPage(input.url, {
        limits: {
          maxBytes: ctx.limits.webFetchMaxBytes,
          timeoutMs: ctx.limits.webFetchTimeoutMs,
          connectTimeoutMs: ctx.limits.webFetchConnectTimeoutMs,
          maxRedirects: ctx.limits.webFetchMaxRedirects,
        },
        allowsPrivateHost: (host) => permissions.allowsPrivateHost(host),
        signal: ctx.signal,
        userAgent: options.userAgent ?? USER_AGENT,
        beforeRedirect: async (to, from) => {
          const verdict = await ctx.policyCheck?.('WebFetch', { url: to.href, prompt: input.prompt });
          if (verdict && verdict.decision !== 'allowed') {
            throw new ToolDeniedError(
              `WebFetch did not follow the redirect from ${from.href} to ${to.href}: ${verdict.reason}`,
              verdict.hint,
            );
          }
        },
        ...(options.resolve ? { resolve: options.resolve } : {}),
        ...(options.trustedCertificates ? { trustedCertificates: options.trustedCertificates } : {}),
      });
      // One time limit for the whole call: what the fetch took is not given to the conversion again.
      const markdown =
        page.kind === 'html'
          ? await (options.converter ?? sharedMarkdownConverter).convert(page.text, {
              url: page.url,
              signal: ctx.signal,
              deadline,
              timeoutMs: ctx.limits.webFetchTimeoutMs,
            })
          : page.text;
      // Returned raw, the page must fit in one tool result (with room for the notes).
      const limit = ctx.summarize
        ? ctx.limits.webFetchMaxContentChars
        : Math.min(ctx.limits.webFetchMaxContentChars, ctx.limits.resultLimitChars - NOTES_ROOM);
      const content = markdown.length > limit ? markdown.slice(0, limit) : markdown;
      const notes = pageNotes(input.url, page, markdown.length, limit, ctx);
      if (!ctx.summarize) return `${notes}${content}`;
      const answer = await ctx.summarize(content, input.prompt, ctx.signal);
      return `${notes}${answer}`;
    },
  });
}

function pageNotes(
  requested: string,
  page: Awaited<ReturnType<typeof fetchPage>>,
  chars: number,
  limit: number,
  ctx: ToolContext,
): string {
  const notes: string[] = [];
  if (page.url !== requested && page.url !== new URL(requested).href)
    notes.push(`Redirected to ${page.url}.`);
  if (page.truncated) {
    notes.push(`The page is larger than ${ctx.limits.webFetchMaxBytes} bytes; only its beginning was read.`);
  }
  if (chars > limit) {
    notes.push(`Only the first ${limit} of ${chars} characters were used.`);
  }
  return notes.length ? `[${notes.join(' ')}]\n\n` : '';
}

export const webFetchTool = createWebFetchTool();
