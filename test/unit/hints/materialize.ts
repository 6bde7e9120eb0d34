import { createPythonParser } from '../../../src/formats/python';
import { computePythonHints } from '../../../src/hints/pythonHints';
import type { DocumentHints } from '../../../src/hints/types';
import { link, wasmPaths } from './helpers';

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

/** Findings and materialised hints of `text` from a fresh parser: the reference for incremental results. */
export async function fromScratch(text: string) {
  const fresh = await createPythonParser(wasmPaths);
  try {
    const findings = fresh.analyze(text);
    return { findings, hints: materialize(computePythonHints(findings, text, { targetDepthSetting: null, link })) };
  } finally {
    fresh.dispose();
  }
}
