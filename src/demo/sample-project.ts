import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A small Node project with one real bug, a TODO and tests — something worth reviewing. */
const FILES: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'sample-inventory', version: '1.0.0', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
  'AGENTS.md': 'Inventory service. Keep functions pure; every exported function needs a test.\n',
  'src/inventory.js': `// In-memory inventory of items with a unit price.
const items = new Map();

export function addItem(name, quantity, unitPrice) {
  const current = items.get(name) ?? { quantity: 0, unitPrice };
  items.set(name, { quantity: current.quantity + quantity, unitPrice });
}

export function removeItem(name, quantity) {
  const current = items.get(name);
  if (!current) throw new Error(\`unknown item \${name}\`);
  // TODO: refuse to go below zero
  current.quantity -= quantity;
}

export function totalValue() {
  let total = 0;
  for (const { quantity, unitPrice } of items.values()) total += quantity * unitPrice;
  return total;
}

export function reset() {
  items.clear();
}
`,
  'test/inventory.test.js': `import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { addItem, removeItem, reset, totalValue } from '../src/inventory.js';

beforeEach(reset);

test('adds up the value of the stock', () => {
  addItem('bolt', 10, 0.5);
  addItem('nut', 4, 0.25);
  assert.equal(totalValue(), 6);
});

test('removing stock lowers the value', () => {
  addItem('bolt', 10, 0.5);
  removeItem('bolt', 4);
  assert.equal(totalValue(), 3);
});

test('cannot remove more than is in stock', () => {
  addItem('bolt', 1, 0.5);
  assert.throws(() => removeItem('bolt', 5));
});
`,
};

const AGENTS: Record<string, string> = {
  'reviewer.md': `---
name: reviewer
description: Reviews code for bugs and risky patterns. Use after code changes.
tools: Read, Grep, Glob
model: sonnet
---
You are a meticulous code reviewer. Read the code, search for risky patterns, and report each
problem with its file and line, most serious first.
`,
  'test-runner.md': `---
name: test-runner
description: Runs the test suite and reports failures with their cause.
tools: Bash, Read
model: gpt-5.5
---
You are a test runner. Run the project's tests, then report what passed, what failed and why.
`,
  'doc-writer.md': `---
name: doc-writer
description: Writes API documentation for the project's modules.
tools: Read, Glob, Write
model: gemini-3-flash
---
You are a documentation writer. Find the source modules, read them, and write concise API docs
to docs/API.md.
`,
};

export async function writeSampleProject(root: string): Promise<void> {
  await mkdir(join(root, '.git'), { recursive: true }); // marks the repository root for agent discovery
  const files = {
    ...FILES,
    ...Object.fromEntries(Object.entries(AGENTS).map(([f, t]) => [`.claude/agents/${f}`, t])),
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}
