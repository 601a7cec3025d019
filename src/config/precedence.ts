import {
  defaultsOf,
  getAt,
  type Merge,
  type OptionsOf,
  placedSettings,
  type SettingsTree,
  setAt,
  type ValuesOf,
} from './setting.ts';

/** Where one setting's value sits in the values of a level (`['proxy', 'port']`), and how levels combine. */
export interface Slot {
  path: readonly string[];
  merge: Merge;
}

/** One level settings are set at: `{ source: 'env CODEX_TASK_MAX_TURNS', values: { maxTurns: 7 } }`. */
export interface Level<Source extends string = string> {
  source: Source;
  values: object | undefined;
}

export interface Resolved<Source extends string = string> {
  /** Only the settings some level sets, laid out as the slots say. */
  values: Record<string, unknown>;
  /** The level each value came from, by dotted path: `proxy.port`, `prices.gpt-5` (an entry), `permissions.allow`. */
  sources: Record<string, Source>;
}

/**
 * Precedence, in one place. `levels` come highest first — flag (or code option) > env > project
 * config > user config > default — and each setting is resolved on its own, however deep it sits
 * (`resilience.retry.maxAttempts` from env keeps `resilience.retry.initialDelayMs` from a file): the
 * highest level that sets it wins. A record (`entries`) is resolved entry by entry, so a project's
 * price for one model keeps the user's for another; rule lists (`rules`) add up, lowest level first.
 */
export function resolvePrecedence<Source extends string>(
  slots: readonly Slot[],
  levels: readonly Level<Source>[],
): Resolved<Source> {
  const resolved: Resolved<Source> = { values: {}, sources: {} };
  for (const slot of slots) {
    const name = slot.path.join('.');
    const set = levels
      .map((level) => ({ source: level.source, value: getAt(level.values, slot.path) }))
      .filter((found) => found.value !== undefined);
    if (set.length === 0) continue;
    if (slot.merge === 'value') {
      setAt(resolved.values, slot.path, set[0]!.value);
      resolved.sources[name] = set[0]!.source;
    } else if (slot.merge === 'entries') {
      const entries: Record<string, unknown> = {};
      for (const { source, value } of set.toReversed()) {
        for (const [entry, item] of Object.entries(value as Record<string, unknown>)) {
          if (item === undefined) continue;
          entries[entry] = item;
          resolved.sources[`${name}.${entry}`] = source;
        }
      }
      setAt(resolved.values, slot.path, entries);
    } else {
      setAt(
        resolved.values,
        slot.path,
        set.toReversed().flatMap(({ value }) => value as unknown[]),
      );
      resolved.sources[name] = set[0]!.source;
    }
  }
  return resolved;
}

/**
 * Every setting of a tree with its value: `levels` (laid out as the options, highest first) over
 * the defaults. What a consumer runs with, so none writes `options.x ?? DEFAULT` itself.
 */
export function resolveSettings<T extends SettingsTree>(tree: T, levels: readonly Level[]): ValuesOf<T> {
  const defaults: Level = { source: 'default', values: defaultsOf(tree) };
  return resolvePrecedence(optionSlots(tree), [...levels, defaults]).values as ValuesOf<T>;
}

/** The slots of a tree's settings where the engine's options hold them (`toolLimits.webFetchMaxBytes`). */
export function optionSlots(tree: SettingsTree): Slot[] {
  return placedSettings(tree).map(({ path, setting }) => ({ path, merge: setting.merge }));
}

/** The slots of a tree's settings where config files hold them (`webFetch.maxBytes`); code-only ones have none. */
export function configSlots(tree: SettingsTree): Slot[] {
  return placedSettings(tree).flatMap(({ key, setting }) =>
    key ? [{ path: key, merge: setting.merge }] : [],
  );
}

/** Config values (`webFetch.maxBytes`) laid out as the engine's options (`toolLimits.webFetchMaxBytes`); unset ones left out. */
export function optionsFromConfig<T extends SettingsTree>(tree: T, config: object): OptionsOf<T> {
  const options: Record<string, unknown> = {};
  for (const { path, key } of placedSettings(tree)) {
    if (!key) continue;
    const value = getAt(config, key);
    if (value !== undefined) setAt(options, path, value);
  }
  return options as OptionsOf<T>;
}
