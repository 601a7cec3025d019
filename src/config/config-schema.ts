import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Zod from 'zod';
import { type ConfigOf, placedSettings, setAt, type Z } from './setting.ts';
import { CONFIG_SETTINGS } from './settings.ts';
import { durationMs } from './value-schemas.ts';

/** One config file (`.codex-task/config.json`, project or user), as parsed. Every key is optional. */
export type ConfigFile = ConfigOf<typeof CONFIG_SETTINGS, 'output'> & { $schema?: string };
/** Config as written (durations may be strings like "90s"). */
export type ConfigInput = ConfigOf<typeof CONFIG_SETTINGS, 'input'> & { $schema?: string };
export type PermissionsConfig = NonNullable<ConfigFile['permissions']>;

/** The config file's schema: strict objects down to each setting, laid out by the settings' config keys. */
type ConfigFileSchema = Zod.ZodType<ConfigFile, ConfigInput> & { shape: Record<string, Zod.ZodType> };

/** What config reads: config files (and env, flags), durations, stored credentials. */
function buildSchemas(z: Z) {
  type Layout = { [key: string]: Layout | Zod.ZodType };
  const layout: Layout = {};
  for (const { key, setting } of placedSettings(CONFIG_SETTINGS))
    if (key) setAt(layout, key, setting.schema(z).describe(setting.doc).optional());
  const strict = (group: Layout): Zod.ZodObject =>
    z.strictObject(
      Object.fromEntries(
        Object.entries(group).map(([name, node]) => [
          name,
          node instanceof z.ZodType ? node : strict(node).optional(),
        ]),
      ),
    );
  const configFile = strict({ $schema: z.string().optional(), ...layout }) as unknown as ConfigFileSchema;
  const credentials = z.record(z.string(), z.strictObject({ apiKey: z.string().min(1) }));
  return { configFile, durationMs: durationMs(z), credentials };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

/**
 * The lazy boundary of config: importing zod costs ~100 ms, more than the rest of
 * `codex-task agents list`, and most runs have no config file, env setting or stored key to check.
 * So zod is loaded on the first value to validate: synchronously (loadConfig is sync) and from its
 * ES module, the very instance `import 'zod'` gives elsewhere (`require('zod')` would load a second
 * copy, its CommonJS build).
 */
export function configSchemas(): Schemas {
  schemas ??= buildSchemas(
    (createRequire(import.meta.url)(fileURLToPath(import.meta.resolve('zod'))) as typeof Zod).z,
  );
  return schemas;
}

export type Credentials = Zod.output<Schemas['credentials']>;
