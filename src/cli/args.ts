/**
 * A small, strict argument parser for the CLI: `--name value`, `--name=value`, boolean flags,
 * positionals. Unknown or malformed options raise `UsageError` (exit code 2, one line, no stack).
 */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Option takes a value (`--width 16`); otherwise it is a boolean flag. */
  value: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const opt = spec[name];
    if (!opt) throw new UsageError(`unknown option --${name}`);
    if (options.has(name)) throw new UsageError(`option --${name} given twice`);
    if (!opt.value) {
      if (eq >= 0) throw new UsageError(`option --${name} takes no value`);
      options.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (value === undefined || value === '') throw new UsageError(`option --${name} needs a value`);
    options.set(name, value);
  }
  return { positionals, options };
}

/** A whole number ≥ `min`, or a UsageError naming the option. */
export function intOption(args: ParsedArgs, name: string, min: number): number | undefined {
  const raw = args.options.get(name);
  if (raw === undefined) return undefined;
  if (raw === true || !/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got '${String(raw)}'`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be at least ${min}, got ${raw}`);
  return n;
}

export function requireInt(args: ParsedArgs, name: string, min: number): number {
  const n = intOption(args, name, min);
  if (n === undefined) throw new UsageError(`missing --${name}`);
  return n;
}

/** A comma-separated list of whole numbers ≥ `min`. */
export function intListOption(args: ParsedArgs, name: string, min: number): number[] | undefined {
  const raw = args.options.get(name);
  if (raw === undefined) return undefined;
  if (raw === true) throw new UsageError(`--${name} needs a value`);
  const parts = raw.split(',').map((s) => s.trim());
  return parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new UsageError(`--${name} must be a comma-separated list of whole numbers, got '${raw}'`);
    const n = Number(p);
    if (n < min) throw new UsageError(`--${name} values must be at least ${min}, got ${p}`);
    return n;
  });
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const raw = args.options.get(name);
  if (raw === true) throw new UsageError(`--${name} needs a value`);
  return raw;
}
