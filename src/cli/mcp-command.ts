import module from 'node:module';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { TaskToolName } from '../mcp/index.ts';
import { EXIT } from './exit-codes.ts';
import { VERSION } from './version.ts';

export interface McpFlags {
  http?: string | boolean;
  host?: string;
  /** Bearer token for --http (default CODEX_TASK_MCP_TOKEN); required off loopback. */
  token?: string;
  toolName?: string;
  cwd?: string;
  /** The queue's Redis (`queue.url`): Task calls run on `codex-task worker`s. */
  redis?: string;
}

/**
 * `codex-task mcp`: the Task tool over stdio (default) or streamable HTTP. Only the MCP SDK and the
 * agent registry load before the handshake; config, engine and AI SDK load on the first call.
 */
export async function mcpCommand(flags: McpFlags): Promise<number> {
  const toolName = flags.toolName ?? 'Task';
  if (toolName !== 'Task' && toolName !== 'Agent') {
    process.stderr.write(`--tool-name must be Task or Agent (got '${toolName}')\n`);
    return EXIT.usage;
  }
  // Cached compiled code for everything loaded from here on: start-up is what Codex is strict about.
  module.enableCompileCache?.();
  const { createEngineRuntime, serveHttp, serveStdio, TaskService } = await import('../mcp/serve-entry.ts');
  const cwd = resolve(flags.cwd ?? process.cwd());
  const service = new TaskService({
    cwd,
    homeDir: homedir(),
    toolName: toolName as TaskToolName,
    runtime: async () => {
      const [{ loadRuntimeSettings }, { redisFlag }] = await Promise.all([
        import('../config/index.ts'),
        import('./flags.ts'),
      ]);
      return createEngineRuntime({
        engine: loadRuntimeSettings({ cwd, flags: redisFlag(flags.redis) }).engine,
      });
    },
  });
  if (flags.http === undefined || flags.http === false) {
    await serveStdio(service, VERSION);
    // The client is gone and every task is stopped: nothing a lingering handle (a keep-alive
    // socket, a log stream) holds is worth keeping the process for.
    setTimeout(() => process.exit(EXIT.ok), 500).unref();
    return EXIT.ok;
  }
  const port = flags.http === true ? 8765 : Number(flags.http);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`--http takes a port number (got '${String(flags.http)}')\n`);
    return EXIT.usage;
  }
  const token = flags.token ?? process.env.CODEX_TASK_MCP_TOKEN;
  let server: Awaited<ReturnType<typeof serveHttp>>;
  try {
    server = await serveHttp(service, VERSION, {
      port,
      host: flags.host ?? '127.0.0.1',
      ...(token ? { token } : {}),
      tokenHint: 'Set a token (CODEX_TASK_MCP_TOKEN; clients send `Authorization: Bearer <token>`)',
    });
  } catch (error) {
    const [{ reportError }, { explainListenError }] = await Promise.all([
      import('./output.ts'),
      import('./port-in-use.ts'),
    ]);
    await service.close();
    return reportError(await explainListenError(error, ['--http <port>']));
  }
  process.stderr.write(`codex-task MCP server (streamable HTTP) on ${server.url}\n`);
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.ok;
}
