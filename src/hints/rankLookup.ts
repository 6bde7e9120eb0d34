/**
 * PEFT's `get_pattern_key` for many module names at once. `matchPatternKey` (src/formats/adapter)
 * tests every key as a regex for every name: fine for a handful of keys, too slow for the
 * thousand-entry rank_pattern an analysis can write (hints must stay under a few ms). Here keys
 * without regex syntax are looked up by the name's dot-suffixes in a map; only real regex keys are
 * tested, and only those that come before the best literal hit. Same answer, same order rule.
 */
import { matchPatternKey } from '../formats/adapter';

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|]/;

export class PatternKeyLookup {
  /** Literal key → its index in file order (first occurrence). */
  private readonly literal = new Map<string, number>();
  /** Keys with regex syntax, with their indices, in file order. */
  private readonly regexKeys: { key: string; index: number }[] = [];

  constructor(private readonly keys: readonly string[]) {
    keys.forEach((key, index) => {
      if (REGEX_SYNTAX.test(key)) this.regexKeys.push({ key, index });
      else if (!this.literal.has(key)) this.literal.set(key, index);
    });
  }

  /** The first key (in file order) matching `moduleName` fully or as a dot-separated suffix. */
  keyFor(moduleName: string): string | undefined {
    let best = Infinity;
    // Literal keys match exactly the name or one of its suffixes after a dot.
    const whole = this.literal.get(moduleName);
    if (whole !== undefined) best = whole;
    for (let dot = moduleName.indexOf('.'); dot >= 0; dot = moduleName.indexOf('.', dot + 1)) {
      const hit = this.literal.get(moduleName.slice(dot + 1));
      if (hit !== undefined && hit < best) best = hit;
    }
    for (const { key, index } of this.regexKeys) {
      if (index >= best) break;
      if (matchPatternKey([key], moduleName) !== undefined) return key;
    }
    return best === Infinity ? undefined : this.keys[best];
  }
}
