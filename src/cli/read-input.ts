import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';

/** A file's text, or stdin's when the path is `-`. */
export async function readInput(path: string): Promise<string> {
  return path === '-' ? text(process.stdin) : readFile(path, 'utf8');
}
