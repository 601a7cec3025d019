/**
 * The worker-thread side of MarkdownConverter: turndown parses the page into a DOM and walks it,
 * tens to hundreds of milliseconds of CPU per large page that must not block the engine's event
 * loop, where dozens of subagents run.
 */
import { htmlToMarkdown } from './html-to-markdown.ts';

export default function convert(html: string): string {
  return htmlToMarkdown(html);
}
