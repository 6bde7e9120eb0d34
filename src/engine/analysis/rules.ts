/** Copying the theory layer's rule provenance into the report's plain RuleRef. */
import type { RuleRef } from '../../protocol';
import type { RuleInfo } from '../../theory';

export function ruleRef(r: RuleInfo, extraCaveats: readonly string[] = []): RuleRef {
  const ref: RuleRef = { rule: r.rule, ruleText: r.ruleText, guarantee: r.guarantee };
  if (r.reconstructed) ref.reconstructed = true;
  const caveats = [...(r.caveats ?? []), ...extraCaveats];
  if (caveats.length > 0) ref.caveats = caveats;
  return ref;
}
