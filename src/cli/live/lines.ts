/**
 * What a live view shows, as plain data: lines of styled segments. The frames are pure functions of
 * a snapshot and the terminal's size (unit-tested without a terminal); Ink only draws them.
 */
export interface Segment {
  text: string;
  color?: 'green' | 'red' | 'yellow' | 'cyan';
  dim?: boolean;
  bold?: boolean;
}

export type Line = readonly Segment[];

export interface ViewSize {
  columns: number;
  rows: number;
}

/** Cut to `width` characters (with …) and pad to it, so columns line up. */
export function cell(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  if (chars.length > width) return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
  return text + ' '.repeat(width - chars.length);
}

/** The widest of `texts`, between `min` and `max`. */
export function columnWidth(texts: readonly string[], min: number, max: number): number {
  return Math.min(max, Math.max(min, ...texts.map((t) => [...t].length)));
}

export function plain(line: Line): string {
  return line.map((s) => s.text).join('');
}
