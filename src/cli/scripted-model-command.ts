import { loadScript, type Script, ScriptError, startScriptedModel } from '../scripted-model/index.ts';
import { EXIT } from './exit-codes.ts';
import { reportError } from './output.ts';
import { explainListenError } from './port-in-use.ts';

/** A default script: echoes the prompt, so a client can be pointed at the server with no set-up. */
const ECHO_SCRIPT: Script = {
  rules: [],
  default: { text: 'Scripted reply to: {{user}}' },
};

/** `codex-task scripted-model`: serves the scripted model until interrupted. */
export async function serveScriptedModel(opts: {
  port: string;
  script?: string;
  latency: string;
}): Promise<number> {
  const port = Number(opts.port);
  const latencyMs = Number(opts.latency);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`error: --port must be 0..65535, got '${opts.port}'\n`);
    return EXIT.usage;
  }
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    process.stderr.write(`error: --latency must be a non-negative number of ms, got '${opts.latency}'\n`);
    return EXIT.usage;
  }
  let script = ECHO_SCRIPT;
  if (opts.script) {
    try {
      script = await loadScript(opts.script);
    } catch (error) {
      if (!(error instanceof ScriptError)) throw error;
      process.stderr.write(`error: ${error.message}${error.hint ? `\n  fix: ${error.hint}` : ''}\n`);
      return EXIT.usage;
    }
  }
  let server: Awaited<ReturnType<typeof startScriptedModel>>;
  try {
    server = await startScriptedModel({ port, script, latencyMs });
  } catch (error) {
    return reportError(await explainListenError(error, ['--port']));
  }
  // Machine-readable first line: tools and benchmarks read the URL from it.
  process.stdout.write(`scripted model listening on ${server.url}\n`);
  process.stderr.write(
    [
      `  Anthropic:  ANTHROPIC_BASE_URL=${server.baseUrls.anthropic}`,
      `  OpenAI:     OPENAI_BASE_URL=${server.baseUrls.openai}`,
      `  Gemini:     GOOGLE_GENERATIVE_AI_BASE_URL=${server.baseUrls.google}`,
      '  (any API key is accepted; Ctrl-C stops it)',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT.ok;
}
