import { Box, render, Static, Text, useWindowSize } from 'ink';
import { createElement as h, type ReactNode } from 'react';
import type { Line, ViewSize } from './lines.ts';

// Ink and React are loaded only through `import('./ink-frame.ts')` (terminal-view.ts), i.e. only
// for a live view on a terminal: `--help`, `agents list` and piped runs never pay for them.

export interface MountedFrame {
  update(notes: readonly string[]): void;
  /** Ends the view: its last frame stays on screen (`keep`) or is erased. */
  stop(notes: readonly string[], keep: boolean): Promise<void>;
}

interface FrameProps {
  draw: (size: ViewSize) => Line[];
  notes: readonly string[];
  tick: number;
}

function Frame({ draw, notes }: FrameProps): ReactNode {
  const size = useWindowSize();
  return h(
    Box,
    { flexDirection: 'column' },
    // Notes are written once, above the frame, and never redrawn.
    h(Static, {
      items: [...notes],
      children: (note: unknown, i: number) => h(Text, { key: i }, String(note)),
    }),
    ...draw(size).map((line, i) =>
      h(
        Text,
        { key: i, wrap: 'truncate-end' },
        ...line.map((s, j) =>
          h(
            Text,
            {
              key: j,
              ...(s.color ? { color: s.color } : {}),
              dimColor: Boolean(s.dim),
              bold: Boolean(s.bold),
            },
            s.text,
          ),
        ),
      ),
    ),
  );
}

export function mountFrame(stream: NodeJS.WriteStream, draw: (size: ViewSize) => Line[]): MountedFrame {
  let tick = 0;
  const element = (notes: readonly string[], drawNow = draw) =>
    h(Frame, { draw: drawNow, notes, tick: tick++ });
  const instance = render(element([]), {
    stdout: stream,
    stderr: stream,
    // We decided the view is live (a terminal); Ink's own CI detection would print only the last frame.
    interactive: true,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: 20,
  });
  return {
    update: (notes) => instance.rerender(element(notes)),
    async stop(notes, keep) {
      instance.rerender(element(notes, keep ? draw : () => []));
      await instance.waitUntilRenderFlush();
      if (!keep) instance.clear();
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}
