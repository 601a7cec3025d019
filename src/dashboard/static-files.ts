import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the dashboard serves, read once. */
export interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// Our own files revalidate every time (cheap with the ETag) so an upgrade shows at once; the vendor
// files are cached for a week: they change only with a dependency upgrade, and revalidate after.
const OWN = 'no-cache';
const VENDOR = 'public, max-age=604800';

/** Where the page's files live: beside this module, in `src/` while developing and in `dist/` (copied by the build). */
export const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

/** Preact + htm in one ES module, uPlot's ES module and stylesheet, and eventsource-parser's ES module, from node_modules. */
export function vendorPaths(): Record<string, string> {
  const require = createRequire(import.meta.url);
  // Resolved through the packages' main entries: htm's `exports` maps only `./preact/standalone` to
  // its .mjs under the `import` condition, which `require.resolve` does not use, and uPlot has none.
  const htm = dirname(dirname(require.resolve('htm')));
  const uplot = dirname(require.resolve('uplot'));
  // `require` resolves its CommonJS build; the ES module sits beside it.
  const parser = dirname(require.resolve('eventsource-parser'));
  return {
    'eventsource-parser.mjs': join(parser, 'index.js'),
    'htm-preact.mjs': join(htm, 'preact', 'standalone.mjs'),
    'uplot.mjs': join(uplot, 'uPlot.esm.js'),
    'uplot.css': join(uplot, 'uPlot.min.css'),
  };
}

const MODULE_PRELOADS =
  '<!-- modulepreload: every module of the page, listed by the server (static-files.ts) -->';

function load(path: string, cacheControl: string, edit = (text: string) => text): StaticFile {
  const body = new Uint8Array(Buffer.from(edit(readFileSync(path, 'utf8'))));
  return {
    body,
    type: TYPES[extname(path)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    cacheControl,
  };
}

/**
 * Every file the page may load, by URL path relative to the mount point: `index.html` as `/`, the
 * files of ui/ under `/assets/`, the vendor modules under `/assets/vendor/`. Read at start-up: a
 * fixed table, so no request path ever reaches the file system.
 */
export function staticFiles(uiDir = UI_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const names = readdirSync(uiDir).filter((name) => TYPES[extname(name)]);
  // The browser would find the modules one import level at a time (a round trip each); listed in
  // the page, they are all fetched at once.
  const modules = [
    'vendor/htm-preact.mjs',
    'vendor/eventsource-parser.mjs',
    ...names.filter((n) => n.endsWith('.js')),
  ];
  const preloads = modules.map((m) => `<link rel="modulepreload" href="/ui/assets/${m}">`).join('\n    ');
  for (const name of names) {
    const path = join(uiDir, name);
    if (name === 'index.html')
      files.set(
        '/',
        load(path, OWN, (html) => html.replace(MODULE_PRELOADS, preloads)),
      );
    else files.set(`/assets/${name}`, load(path, OWN));
  }
  // Their source maps are not served: the comment would only make devtools ask for a 404.
  const noMap = (text: string) => text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  for (const [name, path] of Object.entries(vendorPaths()))
    files.set(`/assets/vendor/${name}`, load(path, VENDOR, noMap));
  return files;
}
