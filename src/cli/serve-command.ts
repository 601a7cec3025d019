import { EXIT } from './exit-codes.ts';
import { portFlag, redisFlag } from './flags.ts';
import { reportError } from './output.ts';
import { explainListenError } from './port-in-use.ts';
import { settingsFor } from './settings.ts';
import { oneTimeLink } from './ui-command.ts';
import { VERSION } from './version.ts';

export interface ServeFlags {
  port: string;
  host: string;
  token?: string;
  cwd?: string;
  /** The queue's Redis (`queue.url`): tasks run on `codex-task worker`s. */
  redis?: string;
}

/** `codex-task serve`: the HTTP API (tasks, SSE events, agents, health, metrics) and the dashboard, until interrupted. */
export async function serveCommand(flags: ServeFlags): Promise<number> {
  let port: number;
  try {
    port = portFlag('--port', flags.port);
  } catch (error) {
    return reportError(error);
  }
  const [{ createRuntime }, { startHttpServer }] = await Promise.all([
    import('../runtime/index.ts'),
    import('../http/index.ts'),
  ]);
  let settings: ReturnType<typeof settingsFor>;
  try {
    settings = settingsFor({ ...(flags.cwd ? { cwd: flags.cwd } : {}), config: redisFlag(flags.redis) });
  } catch (error) {
    return reportError(error);
  }
  // Metrics on: the API serves /metrics. Subagents get the MCP tools of a trusted workspace.
  const runtime = createRuntime({
    engine: settings.engine,
    observe: { metrics: true, serviceVersion: VERSION },
  });
  const { engine } = runtime;
  const observability = runtime.observability!;
  const token = flags.token ?? process.env.CODEX_TASK_API_TOKEN;
  try {
    const server = await startHttpServer({
      engine,
      observability,
      host: flags.host,
      port,
      ...(token ? { token } : {}),
      // The dashboard's queue panel: job counts and live workers, when tasks run on workers.
      ...(runtime.queue ? { queue: runtime.queue } : {}),
    });
    process.stderr.write(
      `codex-task API on ${server.url} (Ctrl-C stops it)\n` +
        `Dashboard: ${oneTimeLink(server.loginLink())} (later: codex-task ui)\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return EXIT.ok;
  } catch (error) {
    return reportError(await explainListenError(error, ['--port']));
  } finally {
    await runtime.close();
  }
}
