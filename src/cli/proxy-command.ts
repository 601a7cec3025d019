import { EXIT } from './exit-codes.ts';
import { portFlag, redisFlag } from './flags.ts';
import { reportError } from './output.ts';
import { explainListenError } from './port-in-use.ts';
import { settingsFor } from './settings.ts';
import { oneTimeLink } from './ui-command.ts';
import { VERSION } from './version.ts';

export interface ProxyFlags {
  port?: string;
  host?: string;
  upstream?: string;
  token?: string;
  task: boolean;
  cwd?: string;
  /** The queue's Redis (`queue.url`): Task calls run on `codex-task worker`s. */
  redis?: string;
}

/** `codex-task proxy`: forwards to the upstream, with Task and slash commands, until interrupted. */
export async function proxyCommand(flags: ProxyFlags): Promise<number> {
  let port: number | undefined;
  try {
    port = flags.port === undefined ? undefined : portFlag('--port', flags.port);
  } catch (error) {
    return reportError(error);
  }
  const { startProxy } = await import('../proxy/index.ts');
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  try {
    const settings = settingsFor({
      ...(flags.cwd ? { cwd: flags.cwd } : {}),
      config: redisFlag(flags.redis),
    });
    const token = flags.token ?? process.env.CODEX_TASK_PROXY_TOKEN;
    proxy = await startProxy({
      settings,
      ...(port !== undefined ? { port } : {}),
      ...(flags.host ? { host: flags.host } : {}),
      ...(flags.upstream ? { upstream: flags.upstream } : {}),
      ...(token ? { token } : {}),
      ...(flags.task ? {} : { injectTask: false }),
      observe: { serviceVersion: VERSION },
    });
  } catch (error) {
    return reportError(
      await explainListenError(error, [
        '--port',
        'CODEX_TASK_PROXY_PORT',
        'proxy.port in .codex-task/config.json',
      ]),
    );
  }
  process.stderr.write(
    `codex-task proxy on ${proxy.baseUrl} → ${proxy.upstream} (Ctrl-C stops it)\n` +
      `Codex: model_providers.codex-task.base_url = "${proxy.baseUrl}", wire_api = "responses"\n` +
      `Dashboard: ${oneTimeLink(proxy.loginLink())} (later: codex-task ui --url ${proxy.url})\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proxy.close();
  return EXIT.ok;
}
