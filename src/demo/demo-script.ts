import type { Script } from '../scripted-model/index.ts';

const API_DOC = `# API of src/inventory.js

- \`addItem(name, quantity, unitPrice)\`: adds stock of an item at a unit price.
- \`removeItem(name, quantity)\`: removes stock; throws for an unknown item.
- \`totalValue()\`: the value of all stock (quantity × unit price).
- \`reset()\`: empties the inventory.
`;

/**
 * What the scripted model answers in the demo. Each agent is recognised by its system prompt and
 * its turn; the tools are really called, and the final texts quote their real output.
 */
export const DEMO_SCRIPT: Script = {
  latencyMs: 250,
  rules: [
    {
      when: { system: 'code reviewer', turn: 0 },
      reply: { toolCalls: [{ name: 'Read', input: { file_path: 'src/inventory.js' } }] },
    },
    {
      when: { system: 'code reviewer', turn: 1 },
      reply: {
        toolCalls: [
          {
            name: 'Grep',
            input: { pattern: 'TODO|FIXME|-=', path: 'src', output_mode: 'content', '-n': true },
          },
        ],
      },
    },
    {
      when: { system: 'code reviewer', turn: 2 },
      reply: {
        text: 'Review of src/inventory.js. Lines that need attention (from Grep):\n{{toolResult}}\n\n1. removeItem lets the quantity go negative: the TODO is a real bug (the "cannot remove more than is in stock" test fails). Check `quantity <= current.quantity` before subtracting and throw otherwise.\n2. addItem silently replaces the unit price of existing stock; decide whether that is intended.',
      },
    },
    {
      when: { system: 'test runner', turn: 0 },
      reply: {
        toolCalls: [
          {
            name: 'Bash',
            input: {
              command: 'node --test --test-reporter=tap 2>&1 | grep -E "^# (tests|pass|fail)|^not ok"',
              description: 'Run the test suite',
            },
          },
        ],
      },
    },
    {
      when: { system: 'test runner', turn: 1 },
      reply: {
        text: 'Ran `node --test`. Summary of the real run:\n{{toolResult}}\n\nThe failing test is "cannot remove more than is in stock": removeItem does not check the stock before subtracting.',
      },
    },
    {
      when: { system: 'documentation writer', turn: 0 },
      reply: { toolCalls: [{ name: 'Glob', input: { pattern: 'src/**/*.js' } }] },
    },
    {
      when: { system: 'documentation writer', turn: 1 },
      reply: { toolCalls: [{ name: 'Read', input: { file_path: '{{toolResult}}' } }] },
    },
    {
      when: { system: 'documentation writer', turn: 2 },
      reply: { toolCalls: [{ name: 'Write', input: { file_path: 'docs/API.md', content: API_DOC } }] },
    },
    {
      when: { system: 'documentation writer', turn: 3 },
      reply: {
        text: 'Wrote docs/API.md ({{toolResult}}) documenting addItem, removeItem, totalValue and reset.',
      },
    },
  ],
  default: { text: 'The scripted model has no reply for this request.' },
};
