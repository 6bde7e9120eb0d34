/** Architecture-only analysis: thresholds and costs from shapes, no tensor touched. */
import type { ModelSpec, ModuleSpec } from '../../formats/types';
import type { ArchitectureModule, ArchitectureReport } from '../../protocol';
import { fnnWorstCaseThreshold, fullUpdateCheaper, matrixRankBound, transformerWorstCase } from '../../theory';
import { AnalysisInputError } from './context';
import { ruleRef } from './rules';

/** Per-module bounds and LoRA costs for every 2-D linear module (norms excluded). */
export function architectureModules(model: ModelSpec): ArchitectureModule[] {
  return model.modules.filter((m) => m.shape.length === 2 && m.role !== 'norm').map(architectureModule);
}

export function architectureModule(m: ModuleSpec): ArchitectureModule {
  const [out, inp] = m.shape as [number, number];
  const cmp = fullUpdateCheaper(inp, out, 1);
  return {
    name: m.name,
    role: m.role,
    layer: m.layer ?? null,
    shape: [out, inp],
    maxUsefulRank: matrixRankBound(inp, out).requiredRank,
    loraParametersPerRank: inp + out,
    fullUpdateParameters: cmp.fullParameters,
    breakEvenRank: cmp.breakEvenRank,
  };
}

/** The transformer part: ⌈D/2⌉ for the paper's simplified Transformer, and the dims it used. */
export function transformerThresholds(model: ModelSpec): ArchitectureReport['transformer'] {
  const t = model.transformer;
  if (!t) return undefined;
  const worst = transformerWorstCase(t.hiddenSize);
  return {
    modelType: t.modelType,
    hiddenSize: t.hiddenSize,
    numLayers: t.numLayers,
    numHeads: t.numHeads,
    numKeyValueHeads: t.numKeyValueHeads,
    headDim: t.headDim,
    usesRope: t.usesRope,
    worstCase: { ...ruleRef(worst), requiredRank: worst.requiredRank },
  };
}

/** Linear layers of a sequential MLP in forward order, each [out, in]. */
export function sequentialLayers(model: ModelSpec): ModuleSpec[] {
  const byName = new Map(model.modules.map((m) => [m.name, m]));
  return (model.sequentialLayers ?? []).map((name) => {
    const m = byName.get(name);
    if (!m) throw new AnalysisInputError(`${model.source}: sequential layer ${name} is missing`);
    return m;
  });
}

/** Width D of an MLP whose layers are all D×D (the paper's setting), or an error naming the first odd layer. */
export function uniformWidth(model: ModelSpec, layers: readonly ModuleSpec[]): number {
  if (layers.length === 0) throw new AnalysisInputError(`${model.source}: no linear layers`);
  const D = layers[0].shape[0] as number;
  const odd = layers.filter((m) => m.shape[0] !== D || m.shape[1] !== D);
  if (odd.length > 0) {
    throw new AnalysisInputError(
      `${model.source}: the FNN analysis needs every layer to be D×D (the paper's setting, here D=${D})`,
      odd.slice(0, 3).map((m) => `layer ${m.name} is [${m.shape.join(', ')}]`),
    );
  }
  return D;
}

/**
 * Architecture report of one model. For a sequential MLP, `targetDepth` (default ⌈L/2⌉, noted)
 * gives the FNN worst case.
 */
export function architectureReport(model: ModelSpec, targetDepth: number | undefined, notes: string[]): ArchitectureReport {
  const modules = architectureModules(model);
  const report: ArchitectureReport = { modules, loraParametersPerRankTotal: modules.reduce((s, m) => s + m.loraParametersPerRank, 0) };
  const transformer = transformerThresholds(model);
  if (transformer) report.transformer = transformer;
  if (model.kind === 'mlp' && model.sequentialLayers) {
    const layers = sequentialLayers(model);
    const D = uniformWidth(model, layers);
    const L = layers.length;
    let Lbar = targetDepth;
    if (Lbar === undefined) {
      Lbar = Math.ceil(L / 2);
      notes.push(`no target depth given: L̄ = ⌈L/2⌉ = ${Lbar} assumed`);
    }
    if (Lbar > L) throw new AnalysisInputError(`target depth ${Lbar} exceeds the frozen depth ${L} of ${model.source}`);
    const w = fnnWorstCaseThreshold(D, L, Lbar);
    report.fnn = {
      width: D,
      frozenDepth: L,
      targetDepth: Lbar,
      worstCase: { ...ruleRef(w), requiredRank: w.requiredRank, partition: w.partition, depthRatio: w.depthRatio, headline: w.headline },
    };
  }
  return report;
}
