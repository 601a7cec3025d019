#!/usr/bin/env node
// The published bin runs the compiled dist/; a development checkout without a build runs the
// TypeScript sources directly (Node >= 22.18 strips types; not possible inside node_modules).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(compiled) ? compiled : new URL('../src/cli/main.ts', import.meta.url);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
