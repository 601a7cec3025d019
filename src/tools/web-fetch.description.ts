export const WEB_FETCH_DESCRIPTION = `Fetches a web page and answers a question about it.

Usage:
- url must be a complete http:// or https:// URL. Other schemes are refused; read local files with Read.
- The page is converted from HTML to Markdown, then prompt is applied to it by a small, fast model, and you get that model's answer. Say in prompt exactly what you want from the page (a fact, a list, a summary of one section).
- Only text is read (HTML, plain text, JSON, XML…): images, PDFs, archives and other binary files are refused. Very large pages are cut at a size limit.
- Redirects are followed. Addresses on the user's machine or private networks (localhost, 127.0.0.1, 10.x, 192.168.x, 169.254.169.254 and the like) are refused unless the user allowed that host, wherever the URL or a redirect points there.
- This tool never changes anything. You can fetch several pages at once by calling it several times in one response.`;

/** What the fast model gets: the page, then the subagent's prompt about it. */
export function webFetchPromptMessage(content: string, prompt: string): string {
  return `Web page content:
---
${content}
---

${prompt}

Answer from the page content above only. Be concise; quote the page where its exact wording matters, and say so when the page does not contain what is asked.`;
}
