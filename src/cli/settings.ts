import { resolve } from 'node:path';
import { type ConfigInput, loadRuntimeSettings, type RuntimeSettings } from '../config/index.ts';

/** The effective settings for a command: config files, env and the command's own flags. */
export function settingsFor(flags: { cwd?: string; config?: ConfigInput } = {}): RuntimeSettings {
  return loadRuntimeSettings({
    cwd: resolve(flags.cwd ?? process.cwd()),
    ...(flags.config ? { flags: flags.config } : {}),
  });
}
