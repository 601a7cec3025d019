#!/usr/bin/env node
// The published bin runs the compiled dist/; a development checkout without a build runs the
// TypeScript sources directly (Node >= 22.18 strips types; not possible inside node_modules).
import { existsSync } from 'node:fs';
import module from 'node:module';

// Reuse V8's compiled code between runs (kept in the OS temp dir): start-up of commands that load
// the AI SDK and zod drops severalfold after the first run.
module.enableCompileCache?.();

const compiled = new URL('../dist/cli/bin.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL('../src/cli/bin.ts', import.meta.url).href);
