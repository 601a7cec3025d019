import { EXIT } from './exit-codes.ts';
import { printError } from './output.ts';
import { settingsFor } from './settings.ts';
import { VERSION } from './version.ts';

export interface ServeFlags {
  port: string;
  host: string;
  token?: string;
  cwd?: string;
}

/** `codex-task serve`: the HTTP API (tasks, SSE events, agents, health, metrics) until interrupted. */
export async function serveCommand(flags: ServeFlags): Promise<number> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    printError(new Error(`--port must be 0..65535, got '${flags.port}'`));
    return EXIT.usage;
  }
  const [{ TaskEngine }, { observe }, { startHttpServer }] = await Promise.all([
    import('../engine/index.ts'),
    import('../observe/index.ts'),
    import('../http/index.ts'),
  ]);
  let settings: ReturnType<typeof settingsFor>;
  try {
    settings = settingsFor(flags.cwd ? { cwd: flags.cwd } : {});
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  const engine = new TaskEngine(settings.engine);
  const observability = observe(engine, { serviceVersion: VERSION });
  const token = flags.token ?? process.env.CODEX_TASK_API_TOKEN;
  try {
    const server = await startHttpServer({
      engine,
      observability,
      host: flags.host,
      port,
      ...(token ? { token } : {}),
    });
    process.stderr.write(`codex-task API on ${server.url} (Ctrl-C stops it)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return EXIT.ok;
  } catch (error) {
    printError(error);
    return EXIT.usage;
  } finally {
    engine.close();
    await observability.close();
  }
}
