import { formatSeconds, formatTokens } from '../task-report.ts';
import type { Line } from './lines.ts';

/** One running task as `run`'s live line knows it. */
export interface RunSnapshot {
  agent: string;
  /** `provider:model`, once the task started. */
  model?: string;
  /** `performance.now()` when the task started (or was asked for, before that). */
  startedAt: number;
  /** The turn in progress (1-based). */
  turn: number;
  /** The tool running now, if any. */
  tool?: string;
  tokens: number;
  now: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** `⠙ reviewer · openai:gpt-5.5 · 12.3s · turn 2 · Bash · 1.2k tok`: one line, redrawn in place. */
export function runFrame(s: RunSnapshot): Line[] {
  const spin = SPINNER[Math.floor(s.now / 100) % SPINNER.length]!;
  if (!s.model) return [[{ text: `${spin} ${s.agent} · starting`, dim: true }]];
  return [
    [
      { text: spin, color: 'cyan' },
      { text: ` ${s.agent} · ${s.model} · ${formatSeconds(s.now - s.startedAt)} · turn ${s.turn} · ` },
      s.tool ? { text: s.tool, bold: true } : { text: 'awaiting model', dim: true },
      { text: ` · ${formatTokens(s.tokens)} tok` },
    ],
  ];
}
