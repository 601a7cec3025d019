import { expandSlashCommand, loadSlashCommands } from '../commands/index.ts';
import { type ProviderConfig, resolveSpec } from '../providers/index.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Expanded messages remembered (by Codex's item id), so a later turn's history says what the model saw. */
const REMEMBERED_MAX = 2_000;

export interface CommandExpanderOptions {
  cwd: string;
  homeDir?: string;
  /** The upstream, to turn a command's `model` (alias, `provider:model` or id) into its model id. */
  upstream: ProviderConfig;
  onProblem?: (message: string) => void;
}

/**
 * `/name args` in the latest user message → the command's body, arguments substituted (commands/),
 * and the command's `model` as the request's model. Only the latest user message is looked at, and
 * its text is replaced once (the result is never expanded again). Codex resends the conversation on
 * every request: the same message gets the same expansion in each request of its turn, and
 * remembered expansions replace older ones' text in later turns. Commands are read from disk when a
 * message starts with `/`, so edits apply at the next turn.
 */
export function commandExpander(options: CommandExpanderOptions): (body: Json) => boolean {
  const remembered = new Map<string, string>();
  return (body) => {
    if (!Array.isArray(body.input)) return false;
    const messages = body.input.filter(
      (item): item is Json =>
        isObject(item) && item.role === 'user' && (item.type === undefined || item.type === 'message'),
    );
    const latest = messages.at(-1);
    let changed = false;
    for (const item of messages) {
      const earlier = item !== latest && typeof item.id === 'string' ? remembered.get(item.id) : undefined;
      if (earlier !== undefined && setText(item, earlier)) changed = true;
    }
    const text = latest ? textOf(latest) : undefined;
    if (!latest || text === undefined || !text.trimStart().startsWith('/')) return changed;
    const commands = loadSlashCommands({
      cwd: options.cwd,
      ...(options.homeDir ? { homeDir: options.homeDir } : {}),
    });
    const expanded = expandSlashCommand(text, commands);
    if (!expanded) return changed;
    setText(latest, expanded.text);
    if (typeof latest.id === 'string') {
      remembered.set(latest.id, expanded.text);
      if (remembered.size > REMEMBERED_MAX) remembered.delete(remembered.keys().next().value as string);
    }
    if (expanded.command.model) {
      try {
        body.model = resolveSpec(expanded.command.model, [options.upstream]).modelId;
      } catch (error) {
        options.onProblem?.(
          `${expanded.command.path}: model '${expanded.command.model}' cannot be served by the upstream (${(error as Error).message}); the request's model is kept`,
        );
      }
    }
    return true;
  };
}

/** A message's text: a string content, or its first text part (Codex sends `[{ type: 'input_text', text }]`). */
function textOf(message: Json): string | undefined {
  if (typeof message.content === 'string') return message.content;
  if (!Array.isArray(message.content)) return undefined;
  const part = message.content.find((p) => isObject(p) && typeof p.text === 'string') as Json | undefined;
  return part?.text as string | undefined;
}

function setText(message: Json, text: string): boolean {
  if (typeof message.content === 'string') {
    if (message.content === text) return false;
    message.content = text;
    return true;
  }
  if (!Array.isArray(message.content)) return false;
  const part = message.content.find((p) => isObject(p) && typeof p.text === 'string') as Json | undefined;
  if (!part || part.text === text) return false;
  part.text = text;
  return true;
}
