import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staticFiles, UI_DIR } from './static-files.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves the page as /, its files under /assets/, and nothing of a type it does not know', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-task-ui-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'app.js'), 'export {}');
    writeFileSync(join(dir, 'notes.txt'), 'not served');
    const files = staticFiles(dir);
    expect([...files.keys()].sort()).toEqual([
      '/',
      '/assets/app.js',
      '/assets/vendor/eventsource-parser.mjs',
      '/assets/vendor/htm-preact.mjs',
      '/assets/vendor/uplot.css',
      '/assets/vendor/uplot.mjs',
    ]);
    expect(files.get('/')?.etag).toMatch(/^"[\w-]{22}"$/);
  });

  it("serves eventsource-parser's ES module without its source map comment", () => {
    const parser = new TextDecoder().decode(
      staticFiles(UI_DIR).get('/assets/vendor/eventsource-parser.mjs')?.body,
    );
    expect(parser).toMatch(/export\s*\{[^}]*createParser/);
    expect(parser).not.toContain('sourceMappingURL');
  });

  it('finds the UI beside this module (src/ while developing; dist/ once the build has copied it)', () => {
    expect(staticFiles(UI_DIR).has('/assets/app.js')).toBe(true);
  });
});
