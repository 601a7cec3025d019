#!/usr/bin/env node
// The published bin runs the compiled dist/; a development checkout without a build runs the
// TypeScript sources directly (Node >= 22.18 strips types; not possible inside node_modules).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/bin.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL('../src/cli/bin.ts', import.meta.url).href);
