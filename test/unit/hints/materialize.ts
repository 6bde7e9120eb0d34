import type { DocumentHints } from '../../../src/hints/types';

/**
 * Hints as plain data: lazy tooltips and hovers rendered to their text, so two results can be
 * compared with deepEqual (the functions themselves are never equal by reference).
 */
export function materialize(hints: DocumentHints): unknown {
  return {
    inlays: hints.inlays.map((h) => ({ position: h.position, label: h.label, tooltip: h.tooltip() })),
    lenses: hints.lenses,
    hovers: hints.hovers.map((h) => ({ range: h.range, markdown: h.markdown() })),
    diagnostics: hints.diagnostics.map((d) => ({ ...d, fix: d.fix ? { title: d.fix.title, edit: d.fix.edit, rankPattern: d.fix.rankPattern } : undefined })),
  };
}
