import TurndownService from 'turndown';

// Built once: turndown's rule set is immutable after setup and conversion keeps no state.
const turndown = new TurndownService({
  headingStyle: 'atx',
  codeBlockStyle: 'fenced',
  bulletListMarker: '-',
  emDelimiter: '*',
});
// Page chrome that carries no content for a reader (and scripts that could carry instructions).
turndown.remove([
  'script',
  'style',
  'noscript',
  'template',
  'iframe',
  'object',
  'embed',
  'svg',
  'canvas',
  'head',
]);

/** HTML → Markdown, as a model reads it best: headings, lists, links and code kept, markup gone. */
export function htmlToMarkdown(html: string): string {
  return turndown
    .turndown(bodyOf(html))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * turndown parses a string as a fragment inside a body, where a document's `<head>` elements lose
 * their tags but keep their text (the `<title>` would open every page), so only the body is given.
 */
function bodyOf(html: string): string {
  const body = /<body[^>]*>([\s\S]*?)(<\/body>|$)/i.exec(html);
  return body ? body[1]! : html.replace(/<head[\s>][\s\S]*?<\/head>/i, '');
}
