import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { skippedNotice, trustChecker } from './trust-checker.ts';
import { writeTrustRecords } from './trust-store.ts';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'codex-task-trust-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const file = '/ws/.mcp.json';
const record = (runs?: Record<string, Record<string, string>>) =>
  writeTrustRecords(home, () => [
    { kind: 'mcp-json', file, digest: 'text', ...(runs ? { runs } : {}), trustedAt: 'x' },
  ]);

describe('trustChecker with the files servers run', () => {
  it('trusts a server only while each file it runs is as trusted: changed, new and removed files ask again', () => {
    record({ a: { '/ws/a.js': 'sha256:1' }, b: {} });
    const check = trustChecker({ homeDir: home });
    const verdict = (runs: Record<string, Record<string, string>>) =>
      check.verdict({ kind: 'mcp-json', file, digest: 'text', runs });
    expect(verdict({ a: { '/ws/a.js': 'sha256:1' } })).toEqual({ trusted: true, how: 'recorded' });
    expect(verdict({ a: { '/ws/a.js': 'sha256:2' } })).toEqual({
      trusted: false,
      reason: 'changed',
      files: ['/ws/a.js'],
    });
    expect(verdict({ a: {} })).toEqual({ trusted: false, reason: 'changed', files: ['/ws/a.js'] });
    expect(verdict({ b: { '/ws/new.js': 'sha256:3' } })).toMatchObject({ files: ['/ws/new.js'] });
    // Per server: b's files say nothing about a's.
    expect(verdict({ b: {} })).toEqual({ trusted: true, how: 'recorded' });
    // Without runs, the text alone (what the reader checks before looking at any server).
    expect(check.verdict({ kind: 'mcp-json', file, digest: 'text' })).toEqual({
      trusted: true,
      how: 'recorded',
    });
    expect(check.verdict({ kind: 'mcp-json', file, digest: 'other' })).toEqual({
      trusted: false,
      reason: 'changed',
    });
  });

  it('reads a record from before files were bound as binding none', () => {
    record();
    const check = trustChecker({ homeDir: home });
    expect(check.verdict({ kind: 'mcp-json', file, digest: 'text', runs: { a: {} } }).trusted).toBe(true);
    expect(
      check.verdict({ kind: 'mcp-json', file, digest: 'text', runs: { a: { '/ws/a.js': 'sha256:1' } } }),
    ).toMatchObject({
      trusted: false,
      reason: 'changed',
    });
  });

  it('names the changed files in the notice, relative to the workspace', () => {
    const notice = skippedNotice(
      { kind: 'mcp-json', file, summary: ['local: node tools/server.cjs'] },
      { trusted: false, reason: 'changed', files: ['/ws/tools/server.cjs'] },
      '/ws',
    );
    expect(notice).toBe(
      'codex-task: skipped MCP servers (local: node tools/server.cjs) from /ws/.mcp.json: what it runs changed since you trusted this workspace (tools/server.cjs). Review it, then run `codex-task trust /ws` (or set CODEX_TASK_TRUST_WORKSPACE=1 for one run).',
    );
  });
});
