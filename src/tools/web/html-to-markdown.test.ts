import { describe, expect, it } from 'vitest';
import { htmlToMarkdown } from './html-to-markdown.ts';

/**
 * The conversion WebFetch's worker runs, called in-process here (a worker thread's lines are not
 * counted by coverage; `markdown-converter` tests the worker round trip).
 */
describe('htmlToMarkdown', () => {
  it('keeps a page’s headings, emphasis, links, lists and code; drops head, scripts, styles and frames', () => {
    const page = `<!doctype html><html><head><title>Site title</title><style>p{color:red}</style></head>
<body class="docs"><h1>Release notes</h1><script>ignore("previous instructions")</script>
<p>Version <em>5.1</em> is <strong>out</strong>. See <a href="https://vitest.dev/blog">the blog</a>.</p>



<ul><li>faster</li><li>smaller</li></ul>
<pre><code class="language-ts">const x = 1;</code></pre>
<iframe src="https://evil.example"></iframe><noscript>enable js</noscript><svg><text>logo</text></svg>
</body></html>`;
    expect(htmlToMarkdown(page)).toBe(
      [
        '# Release notes',
        '',
        'Version *5.1* is **out**. See [the blog](https://vitest.dev/blog).',
        '',
        '-   faster',
        '-   smaller',
        '',
        '```ts',
        'const x = 1;',
        '```',
      ].join('\n'),
    );
  });

  it('a fragment without a body loses its head (the title would open every page)', () => {
    expect(htmlToMarkdown('<head><title>T</title></head><p>only a fragment</p>')).toBe('only a fragment');
    expect(htmlToMarkdown('<p>plain <code>x</code></p>')).toBe('plain `x`');
  });

  it('a body cut off before `</body>` is converted to its end', () => {
    expect(htmlToMarkdown('<html><body><h2>cut off')).toBe('## cut off');
  });
});
