/**
 * PEFT's `get_pattern_key` for many module names at once. `matchPatternKey` (src/formats/adapter)
 * tests every key as a regex for every name: fine for a handful of keys, far too slow for the
 * thousand-entry rank_pattern an analysis writes (hints must stay within a few ms per keystroke).
 *
 * Here keys are looked up by the name's dot-suffixes in a map; only keys with real regex syntax
 * are tested as regexes (compiled once), and only those before the best map hit. One deliberate
 * simplification: a key whose only regex character is `.` (a plain module path such as
 * `model.layers.0.self_attn.q_proj`) is matched literally. PEFT reads that `.` as "any character",
 * which differs only for a name with another character exactly where the key has a dot; PyTorch
 * module paths use `.` as their separator, so such names do not occur in practice.
 */

/** Regex syntax other than `.`. */
const REGEX_SYNTAX = /[\\^$*+?()[\]{}|]/;

export class PatternKeyLookup {
  /** Literal key → its index in file order (first occurrence). */
  private readonly literal = new Map<string, number>();
  /** Keys with regex syntax, compiled PEFT-style, in file order. */
  private readonly regexKeys: { key: string; index: number; re: RegExp | undefined }[] = [];

  constructor(private readonly keys: readonly string[]) {
    keys.forEach((key, index) => {
      if (REGEX_SYNTAX.test(key)) this.regexKeys.push({ key, index, re: compile(key) });
      else if (!this.literal.has(key)) this.literal.set(key, index);
    });
  }

  /** The first key (in file order) matching `moduleName` fully or as a dot-separated suffix. */
  keyFor(moduleName: string): string | undefined {
    let best = Infinity;
    const whole = this.literal.get(moduleName);
    if (whole !== undefined) best = whole;
    for (let dot = moduleName.indexOf('.'); dot >= 0; dot = moduleName.indexOf('.', dot + 1)) {
      const hit = this.literal.get(moduleName.slice(dot + 1));
      if (hit !== undefined && hit < best) best = hit;
    }
    for (const { key, index, re } of this.regexKeys) {
      if (index >= best) break;
      if (key === moduleName || re?.test(moduleName)) return key;
    }
    return best === Infinity ? undefined : this.keys[best];
  }
}

/** PEFT: `re.match(rf"(.*\.)?({key})$", name)`; undefined for a key that is not a valid regex. */
function compile(key: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:.*\\.)?(?:${key})$`);
  } catch {
    return undefined;
  }
}
