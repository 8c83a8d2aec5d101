// A small, strict argument parser for `massline audit`: unknown options and missing values are usage errors.

export class UsageError extends Error {}

export interface ArgSpec {
  /** `--name <value>` options. */
  values?: string[];
  /** `--name <value>` options that may repeat (and take several values: `--workflow a b c`). */
  lists?: string[];
  /** `--name` switches. */
  flags?: string[];
  /** Exactly this many positional arguments. */
  positionals: number;
}

export interface ParsedArgs {
  values: Record<string, string | undefined>;
  lists: Record<string, string[]>;
  flags: Record<string, boolean>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { values: {}, lists: {}, flags: {}, positionals: [] };
  for (const l of spec.lists ?? []) out.lists[l] = [];
  for (const f of spec.flags ?? []) out.flags[f] = false;
  let currentList: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      currentList = undefined;
      const parts = arg.slice(2).split(/=(.*)/s, 2);
      const name = parts[0];
      const inline = parts.at(1);
      if (spec.flags?.includes(name)) {
        if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
        out.flags[name] = true;
      } else if (spec.values?.includes(name) || spec.lists?.includes(name)) {
        const value = inline ?? argv.at(++i);
        if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
        if (spec.lists?.includes(name)) {
          out.lists[name].push(value);
          currentList = name;
        } else {
          if (out.values[name] !== undefined) throw new UsageError(`--${name} given twice`);
          out.values[name] = value;
        }
      } else {
        throw new UsageError(`unknown option ${arg}`);
      }
    } else if (currentList) {
      out.lists[currentList].push(arg);
    } else {
      out.positionals.push(arg);
    }
  }
  if (out.positionals.length !== spec.positionals) {
    throw new UsageError(
      spec.positionals === 0
        ? `unexpected argument ${out.positionals[0]}`
        : out.positionals.length < spec.positionals
          ? 'missing argument'
          : `unexpected argument ${out.positionals[spec.positionals]}`,
    );
  }
  return out;
}
