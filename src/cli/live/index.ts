/**
 * Live views for a terminal: what to show is computed by pure frame functions; `TerminalView`
 * draws it in place with Ink, which it loads only when a view starts.
 */
export { type BatchSnapshot, batchFrame, batchTotals, type RowState, type TaskRow } from './batch-frame.ts';
export { cell, type Line, plain, type Segment, type ViewSize } from './lines.ts';
export { type RunSnapshot, runFrame } from './run-frame.ts';
export { RunLine } from './run-line.ts';
export { TerminalView } from './terminal-view.ts';
