#!/usr/bin/env node
// The published bin runs the compiled dist/; a development checkout without a build runs the
// TypeScript sources directly (Node >= 22.18 strips types; not possible inside node_modules).
//
// First the Node version, in syntax an old Node parses (node-check.js says why): nothing else is
// imported until it passes, and a Node that is too old gets what to do, exit code 1, no stack trace.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { nodeProblem } from './node-check.js';

const problem = nodeProblem(process.versions.node, process.execPath);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
} else {
  // Node 22 and early 24 releases still call node:sqlite experimental, on stderr, whenever the run
  // store opens: to a user of this command line that is noise. Only that one warning is dropped.
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    if (String(warning).startsWith('SQLite is an experimental feature')) return;
    return emitWarning.call(process, warning, ...rest);
  };
  // Reuse V8's compiled code between runs (kept in the OS temp dir): start-up of commands that load
  // the AI SDK and zod drops severalfold after the first run.
  if (module.enableCompileCache) module.enableCompileCache();
  const compiled = new URL('../dist/cli/bin.js', import.meta.url);
  import(existsSync(compiled) ? compiled.href : new URL('../src/cli/bin.ts', import.meta.url).href);
}
