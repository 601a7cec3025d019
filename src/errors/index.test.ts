import { describe, expect, it } from 'vitest';
import { BatchInputError } from '../cli/batch-input.ts';
import { ConfigError } from '../config/index.ts';
import { HttpError, UnprotectedListenError } from '../http/index.ts';
import { CodexConfigError } from '../mcp/index.ts';
import { McpConfigError } from '../mcp-client/index.ts';
import { ProxyConfigError } from '../proxy/index.ts';
import { ScriptError } from '../scripted-model/index.ts';
import { AmbiguousTaskIdError, StoreVersionError, type TaskRecord } from '../store/index.ts';
import { PermissionConfigError } from '../tools/policy/index.ts';
import * as errors from './index.ts';
import {
  AgentConfigError,
  AgentNotFoundError,
  BackgroundLimitError,
  BudgetExceededError,
  CodexTaskError,
  currentErrorType,
  EmptyResultError,
  ERROR_TYPES,
  type ErrorType,
  HTTP_ERROR_TYPES,
  InputFileError,
  InvalidTaskInputError,
  MaxTurnsExceededError,
  ModelConfigError,
  PortInUseError,
  ProviderError,
  ProviderUnavailableError,
  RENAMED_ERROR_TYPES,
  reviveErrorInfo,
  SpawnDepthError,
  SpawnDepthExceededError,
  TaskCancelledError,
  TaskInterruptedError,
  TaskNotFoundError,
  TaskTimeoutError,
  ToolDeniedError,
  ToolExecutionError,
  toErrorInfo,
  UnknownProviderError,
  WorkingDirectoryError,
  WorktreeUnavailableError,
} from './index.ts';

const record = (id: string) => ({ id }) as TaskRecord;

/** One instance of every error class, with the details its JSON must carry. */
const samples: { error: CodexTaskError; details?: Record<string, unknown> }[] = [
  {
    error: new AgentNotFoundError('reviewr', ['reviewer', 'tester'], [{ file: 'a.md', reason: 'bad' }]),
    details: {
      agent: 'reviewr',
      available: ['reviewer', 'tester'],
      skipped: [{ file: 'a.md', reason: 'bad' }],
      suggestion: 'reviewer',
    },
  },
  {
    error: new AgentConfigError('bad tools', 'fix it', { file: 'x.md', field: 'tools', line: 3 }),
    details: { file: 'x.md', field: 'tools', line: 3 },
  },
  {
    error: new InvalidTaskInputError('Invalid Task input', { fields: ['prompt'] }),
    details: { fields: ['prompt'] },
  },
  {
    error: new ToolDeniedError('refused', 'hint', {
      tool: 'Read',
      rule: 'Read(./.env)',
      source: 'settings.json',
    }),
    details: { tool: 'Read', rule: 'Read(./.env)', source: 'settings.json' },
  },
  { error: new ToolExecutionError('no match', 'hint') },
  {
    error: new ModelConfigError('no provider', 'hint', { model: 'gpt-5', provider: 'openai' }),
    details: { model: 'gpt-5', provider: 'openai' },
  },
  {
    error: new ProviderError('openai:gpt-5 answered 401', 401, 'check the key', {
      provider: 'openai',
      model: 'gpt-5',
    }),
    details: { provider: 'openai', model: 'gpt-5', status: 401 },
  },
  {
    error: new ProviderUnavailableError('gave up', {
      status: 503,
      attempts: 4,
      hint: 'later',
      provider: 'openai',
    }),
    details: { provider: 'openai', status: 503, attempts: 4 },
  },
  {
    error: new BudgetExceededError('Task refused', 'raise it', { budget: 'maxTasks', limit: 5, spent: 5 }),
    details: { budget: 'maxTasks', limit: 5, spent: 5 },
  },
  { error: new TaskTimeoutError(400), details: { timeoutMs: 400 } },
  { error: new TaskCancelledError() },
  { error: new TaskInterruptedError() },
  { error: new MaxTurnsExceededError(12), details: { maxTurns: 12 } },
  { error: new EmptyResultError() },
  { error: new SpawnDepthExceededError(3), details: { maxDepth: 3 } },
  { error: new TaskNotFoundError('ab12', 'check the id'), details: { taskId: 'ab12' } },
  {
    error: new BackgroundLimitError('too many', 'wait', { limit: 'maxRunning', value: 4 }),
    details: { limit: 'maxRunning', value: 4 },
  },
  {
    error: new WorktreeUnavailableError('/tmp/x', 'it is in no git repository', 'run it in one'),
    details: { directory: '/tmp/x', problem: 'it is in no git repository' },
  },
  {
    error: new errors.WorkspaceUnavailableError('git /srv/r.git', 'no such remote', 'fix the remote'),
    details: { workspace: 'git /srv/r.git', problem: 'no such remote' },
  },
  {
    error: new errors.WorkspaceNotSharedError('/src/app', 'no remote origin', 'add the remote'),
    details: { directory: '/src/app', problem: 'no remote origin' },
  },
  {
    error: new errors.QueueUnavailableError('redis://127.0.0.1:6379', 'connection refused'),
    details: { url: 'redis://127.0.0.1:6379', problem: 'connection refused' },
  },
  { error: new ConfigError('bad value', 'fix it') },
  {
    error: new PermissionConfigError('bad rule', 'hint', {
      file: 'c.json',
      field: 'permissions.deny',
      rule: 'Bash(',
    }),
    details: { file: 'c.json', field: 'permissions.deny', rule: 'Bash(' },
  },
  { error: new ProxyConfigError('bad upstream', 'hint') },
  { error: new McpConfigError('bad server', 'hint') },
  { error: new CodexConfigError('bad toml', 'hint') },
  {
    error: new ScriptError('bad rule', 'script.yaml', 'rules.0'),
    details: { file: 'script.yaml', field: 'rules.0' },
  },
  { error: new BatchInputError('batch.json is empty') },
  {
    error: new InputFileError('batch file', 'b.json', 'no such file', 'hint'),
    details: { what: 'batch file', path: 'b.json', problem: 'no such file' },
  },
  {
    error: new WorkingDirectoryError('-C', 'nowhere', 'no such directory'),
    details: { flag: '-C', path: 'nowhere', problem: 'no such directory' },
  },
  {
    error: new UnknownProviderError('anthropc', ['anthropic', 'openai'], undefined),
    details: { provider: 'anthropc', known: ['anthropic', 'openai'] },
  },
  {
    error: new PortInUseError({ port: 8790, host: '127.0.0.1', holder: undefined, setBy: ['--port'] }),
    details: { port: 8790, host: '127.0.0.1', setBy: ['--port'] },
  },
  { error: new UnprotectedListenError('0.0.0.0', 'Set a token'), details: { host: '0.0.0.0' } },
  { error: new StoreVersionError('runs.db', 9), details: { path: 'runs.db', found: 9 } },
  {
    error: new AmbiguousTaskIdError('ab', [record('ab1'), record('ab2')], 2),
    details: { prefix: 'ab', total: 2, matches: ['ab1', 'ab2'] },
  },
  {
    error: new HttpError(400, 'InvalidRequest', 'Invalid task input', {
      issues: [{ path: 'prompt', message: 'x' }],
    }),
    details: { status: 400, issues: [{ path: 'prompt', message: 'x' }] },
  },
];

describe('error classes', () => {
  it('covers every class exported from errors/ (add a sample for a new one)', () => {
    const exported = new Set(
      Object.values(errors).filter(
        (value): value is typeof CodexTaskError =>
          typeof value === 'function' && value.prototype instanceof CodexTaskError,
      ),
    );
    const sampled = new Set(samples.map(({ error }) => error.constructor));
    for (const cls of exported) expect(sampled, cls.name).toContain(cls);
  });

  it('are CodexTaskErrors named after their class, each with its own type from the union', () => {
    const typeOf = new Map<string, string>();
    for (const { error } of samples) {
      expect(error).toBeInstanceOf(CodexTaskError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
      expect([...ERROR_TYPES, ...HTTP_ERROR_TYPES]).toContain(error.type);
      if (!(error instanceof HttpError)) expect(`${error.type}Error`).toBe(error.constructor.name);
      expect(typeOf.get(error.type) ?? error.constructor.name, error.type).toBe(error.constructor.name);
      typeOf.set(error.type, error.constructor.name);
    }
  });

  it('give every type of the union a class', () => {
    const made = new Set<string>(samples.map(({ error }) => error.type));
    for (const type of ERROR_TYPES) expect(made, type).toContain(type);
    expect(HTTP_ERROR_TYPES.filter((t) => (ERROR_TYPES as readonly string[]).includes(t))).toEqual([]);
  });

  it('carry their structured fields into toJSON, under details', () => {
    for (const { error, details } of samples) {
      const json = error.toJSON();
      expect(json).toMatchObject({ type: error.type, message: error.message });
      if (error.hint) expect(json.hint).toBe(error.hint);
      if (details) expect(json.details, error.type).toMatchObject(details);
      else expect(json.details, error.type).toBeUndefined();
      expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    }
  });

  it('leave out details that are not set', () => {
    expect(new ProviderError('failed', 401).toJSON().details).toEqual({ status: 401 });
    expect(new ProviderError('failed', undefined).toJSON()).not.toHaveProperty('details');
    expect(new ToolDeniedError('refused').toJSON()).not.toHaveProperty('details');
  });

  it("keep Claude Code's wording on the first line of AgentNotFound", () => {
    const error = new AgentNotFoundError('x', ['b', 'a'], [{ file: 'x.md', reason: 'no description' }]);
    expect(error.message.split('\n')[0]).toBe("Agent type 'x' not found. Available agents: b, a");
    expect(error.message).toContain('x.md exists but was skipped: no description');
  });

  it('keep the fields callers read directly', () => {
    expect(new PortInUseError({ port: 1, host: 'h', holder: undefined, setBy: ['--port'] }).port).toBe(1);
    expect(new ProviderError('m', 429).status).toBe(429);
    expect(new ProviderUnavailableError('m', { status: 503, attempts: 2 })).toMatchObject({
      status: 503,
      attempts: 2,
    });
    expect(new HttpError(404, 'NotFound', 'gone')).toMatchObject({
      status: 404,
      issues: undefined,
      headers: {},
    });
    expect(new ScriptError('m', 'f', 'g')).toMatchObject({ file: 'f', field: 'g' });
    expect(new AmbiguousTaskIdError('a', [record('a1')], 7)).toMatchObject({
      total: 7,
      candidates: [{ id: 'a1' }],
    });
    expect(SpawnDepthError).toBe(SpawnDepthExceededError);
  });

  it('answer HTTP clients in the API shape', () => {
    const error = new HttpError(400, 'InvalidJson', 'not JSON', { hint: 'send JSON' });
    expect(error.body()).toEqual({ error: { type: 'InvalidJson', message: 'not JSON', hint: 'send JSON' } });
  });
});

describe('renamed types', () => {
  it('map every old name to a current one', () => {
    for (const [old, now] of Object.entries(RENAMED_ERROR_TYPES)) {
      expect(ERROR_TYPES as readonly string[]).not.toContain(old);
      expect(currentErrorType(old)).toBe(now);
    }
    expect(currentErrorType('AgentNotFound')).toBe('AgentNotFound');
    expect(currentErrorType('TypeError')).toBeUndefined();
  });

  it('are recorded under the new name when a subclass still passes the old one', () => {
    class LegacyTimeout extends CodexTaskError {
      constructor() {
        super('Timeout', 'late');
      }
    }
    expect(new LegacyTimeout().type).toBe('TaskTimeout' satisfies ErrorType);
  });

  it('are read back from stored records under the new name', () => {
    expect(reviveErrorInfo({ type: 'Timeout', message: 'late', hint: 'h' })).toEqual({
      type: 'TaskTimeout',
      message: 'late',
      hint: 'h',
    });
    expect(reviveErrorInfo({ type: 'TypeError', message: 'x is undefined' })).toEqual({
      type: 'Error',
      message: 'x is undefined',
      details: { name: 'TypeError' },
    });
    expect(reviveErrorInfo({ type: 'Provider', message: 'm', details: { status: 401 } })).toEqual({
      type: 'Provider',
      message: 'm',
      details: { status: 401 },
    });
    expect(reviveErrorInfo(undefined)).toBeUndefined();
  });
});

describe('toErrorInfo', () => {
  it('gives foreign errors the documented fallback type, with their name in details', () => {
    expect(toErrorInfo(new TypeError('boom'))).toEqual({
      type: 'Error',
      message: 'boom',
      details: { name: 'TypeError' },
    });
    expect(toErrorInfo(new Error('plain'))).toEqual({ type: 'Error', message: 'plain' });
    expect(toErrorInfo('text')).toEqual({ type: 'Error', message: 'text' });
    expect(toErrorInfo(new TaskTimeoutError(5))).toEqual(new TaskTimeoutError(5).toJSON());
  });
});
