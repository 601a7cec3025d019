import type * as Zod from 'zod';

/** zod's `z`, handed to each schema when zod is first needed (config-schema.ts loads it lazily). */
export type Z = typeof Zod.z;

/**
 * How one setting's values at several levels combine: `value`, the highest level that sets it
 * wins; `entries` (a record: providers, prices, failover chains), each entry on its own; `rules`
 * (permission rules), every level's add up, lowest first.
 */
export type Merge = 'value' | 'entries' | 'rules';

/** The `CODEX_TASK_*` variable that sets a setting (between config files and flags). */
export interface SettingEnv {
  name: `CODEX_TASK_${string}`;
  /** What it accepts, in words, for the error a bad value gets. */
  accepts: string;
  example: string;
}

/**
 * One setting: its schema, default, config key, variable and meaning, declared once. The engine's
 * option types, the config file's schema and type, the variables' list and the defaults the engine
 * runs with are all derived from these (config/settings.ts holds them).
 */
export interface Setting<
  S extends Zod.ZodType = Zod.ZodType,
  K extends string | undefined = string | undefined,
> {
  /** Built when zod is first needed. The value it gives is what the engine receives. */
  readonly schema: (z: Z) => S;
  /** An optional schema's default may be `undefined`: unset means "decided where it is used". */
  readonly default: Zod.output<S>;
  /** Its key in config files (`webFetch.maxBytes`); none = set in code only. */
  readonly config: K;
  readonly env: SettingEnv | undefined;
  /** One or two sentences: the config schema's description and the variable's in docs/environment.md. */
  readonly doc: string;
  readonly merge: Merge;
}

export function setting<S extends Zod.ZodType, const K extends string | undefined = undefined>(spec: {
  schema: (z: Z) => S;
  default: NoInfer<Zod.output<S>>;
  config?: K;
  env?: SettingEnv;
  doc: string;
  merge?: Merge;
}): Setting<S, K> {
  return {
    schema: spec.schema,
    default: spec.default,
    config: spec.config as K,
    env: spec.env,
    doc: spec.doc,
    merge: spec.merge ?? 'value',
  };
}

/** Settings grouped as their users see them (`resilience.retry.maxAttempts`). */
export interface SettingsTree {
  readonly [key: string]: Setting | SettingsTree;
}

/** Every setting of a tree with a value: what the engine runs with. */
export type ValuesOf<T> = {
  -readonly [K in keyof T]: T[K] extends Setting<infer S> ? Zod.output<S> : ValuesOf<T[K]>;
};

/** Every setting of a tree optional, at every depth: what a caller may pass. */
export type OptionsOf<T> = {
  -readonly [K in keyof T]?: T[K] extends Setting<infer S> ? Zod.output<S> : OptionsOf<T[K]>;
};

/**
 * A config file as the settings' config keys lay it out (`webFetch.maxBytes` → `{ webFetch?:
 * { maxBytes?: … } }`), every key optional; `input` as written (durations may be "90s"), `output`
 * as parsed.
 */
export type ConfigOf<T, Side extends 'input' | 'output'> = Simplify<
  Intersect<
    ConfigLeaves<T> extends infer Leaf
      ? Leaf extends [infer Key extends string, infer S extends Zod.ZodType]
        ? AtKey<Key, Side extends 'input' ? Zod.input<S> : Zod.output<S>>
        : never
      : never
  >
>;

type ConfigLeaves<T> = {
  [K in keyof T]: T[K] extends Setting<infer S, infer Key>
    ? Key extends string
      ? [Key, S]
      : never
    : ConfigLeaves<T[K]>;
}[keyof T];
type AtKey<Key extends string, V> = Key extends `${infer Head}.${infer Rest}`
  ? { [_ in Head]?: AtKey<Rest, V> }
  : { [_ in Key]?: V };
type Intersect<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type Simplify<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]: Simplify<T[K]> }
    : T;

/** A setting with where it sits: `path` in the engine's options (or the tree's), `key` in config files. */
export interface PlacedSetting {
  path: readonly string[];
  key: readonly string[] | undefined;
  setting: Setting;
}

export function isSetting(node: Setting | SettingsTree): node is Setting {
  return typeof node.schema === 'function';
}

/** The settings of a tree, in declaration order. */
export function placedSettings(tree: SettingsTree, prefix: readonly string[] = []): PlacedSetting[] {
  return Object.entries(tree).flatMap(([name, node]) =>
    isSetting(node)
      ? [{ path: [...prefix, name], key: node.config?.split('.'), setting: node }]
      : placedSettings(node, [...prefix, name]),
  );
}

/** The defaults of a tree, as the engine runs with them when nothing is set. */
export function defaultsOf<T extends SettingsTree>(tree: T): ValuesOf<T> {
  const values: Record<string, unknown> = {};
  for (const { path, setting } of placedSettings(tree)) setAt(values, path, setting.default);
  return values as ValuesOf<T>;
}

export function getAt(values: unknown, path: readonly string[]): unknown {
  let node = values;
  for (const name of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[name];
  }
  return node;
}

export function setAt(values: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = values;
  for (const name of path.slice(0, -1)) {
    node[name] ??= {};
    node = node[name] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}
