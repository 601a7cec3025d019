import type { TaskEngine } from '../../engine/index.ts';
import { type RunSnapshot, runFrame } from './run-frame.ts';
import { TerminalView } from './terminal-view.ts';

/**
 * `run`'s live line on a terminal: elapsed, turn, current tool and tokens of the task, redrawn in
 * place so a long model call does not look like a hang, and erased before the answer is printed.
 */
export class RunLine {
  readonly #view: TerminalView;
  readonly #state: Omit<RunSnapshot, 'now'>;

  constructor(engine: TaskEngine, agent: string, stream: NodeJS.WriteStream) {
    this.#state = { agent, startedAt: performance.now(), turn: 1, tokens: 0 };
    const s = this.#state;
    // Only the task `run` started: a subagent it delegates to reports under its own id.
    engine.events.on('task.started', (e) => {
      if (e.parentTaskId !== undefined) return;
      s.agent = e.agentType;
      s.model = e.resolvedModel;
      s.startedAt = performance.now();
    });
    engine.events.on('task.turn', (e) => {
      if (e.parentTaskId === undefined) s.turn = e.turn + 1;
    });
    engine.events.on('task.tool', (e) => {
      if (e.parentTaskId !== undefined) return;
      s.turn = e.turn;
      if (e.phase === 'started') s.tool = e.name;
      else if (s.tool === e.name) delete s.tool;
    });
    engine.events.on('task.progress', (e) => {
      if (e.parentTaskId === undefined) s.tokens = e.tokens.input + e.tokens.output;
    });
    this.#view = new TerminalView(stream, () => runFrame({ ...s, now: performance.now() }));
  }

  /** A line printed once, above the live line. */
  note(line: string): void {
    this.#view.note(line);
  }

  /** Erases the line; resolves when the terminal is clean for the answer. */
  stop(): Promise<void> {
    return this.#view.stop({ keep: false });
  }
}
