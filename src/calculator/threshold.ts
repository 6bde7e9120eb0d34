/**
 * The rank-threshold calculator shared by the CLI (`lora-lens threshold …`) and the VS Code command
 * "Rank Threshold Calculator…": one request type, one answer type, pure arithmetic from src/theory.
 */
import {
  fnnLoraParameterCount,
  fnnThresholdFromRanks,
  fnnWorstCaseThreshold,
  transformerThresholdFromGaps,
  transformerWorstCase,
  type Guarantee,
  type Partition,
  TheoryInputError,
  uniformPartition,
} from '../theory';

export type ThresholdRequest =
  | { kind: 'fnn'; width: number; depth: number; targetDepth: number; ranks?: number[] }
  | { kind: 'transformer'; embedding: number; gaps?: number[] };

export interface ThresholdAnswer {
  kind: 'fnn' | 'transformer';
  requiredRank: number;
  rule: string;
  ruleText: string;
  guarantee: Guarantee;
  reconstructed: boolean;
  caveats: string[];
  /** FNN only. */
  width?: number;
  depth?: number;
  targetDepth?: number;
  depthRatio?: number;
  /** FNN: 1-based frozen layers of each block (uniform partition). */
  partition?: Partition;
  /** FNN worst case: the paper's headline D·L̄/L and its ceiling. */
  headline?: number;
  headlineCeil?: number;
  /** FNN with --ranks: the discrepancy rank and required rank of each block. */
  blocks?: { targetLayer: number; layers: number[]; discrepancyRank: number; requiredRank: number }[];
  /** Transformer only. */
  embedding?: number;
  gaps?: number[];
  /** LoRA parameters at the required rank: all L frozen layers (FNN), or one D×D matrix (Transformer). */
  loraParameters: number;
  loraParametersNote: string;
}

export function computeThreshold(request: ThresholdRequest): ThresholdAnswer {
  return request.kind === 'fnn' ? fnnAnswer(request) : transformerAnswer(request);
}

function fnnAnswer(req: Extract<ThresholdRequest, { kind: 'fnn' }>): ThresholdAnswer {
  const worst = fnnWorstCaseThreshold(req.width, req.depth, req.targetDepth);
  const base = {
    kind: 'fnn' as const,
    width: req.width,
    depth: req.depth,
    targetDepth: req.targetDepth,
    depthRatio: worst.depthRatio,
    partition: worst.partition,
  };
  if (!req.ranks) {
    return {
      ...base,
      requiredRank: worst.requiredRank,
      rule: worst.rule,
      ruleText: worst.ruleText,
      guarantee: worst.guarantee,
      reconstructed: worst.reconstructed ?? false,
      caveats: worst.caveats ?? [],
      headline: worst.headline,
      headlineCeil: worst.headlineCeil,
      ...fnnCost(req.width, req.depth, worst.requiredRank),
    };
  }
  if (req.ranks.length !== req.targetDepth) {
    throw new TheoryInputError(
      `--ranks needs one discrepancy rank per target layer (${req.targetDepth}), got ${req.ranks.length}`,
    );
  }
  const tooBig = req.ranks.find((r) => r > req.width);
  if (tooBig !== undefined) {
    throw new TheoryInputError(`a discrepancy of a ${req.width}×${req.width} matrix has rank at most ${req.width}, got ${tooBig}`);
  }
  const fromRanks = fnnThresholdFromRanks(req.ranks, uniformPartition(req.depth, req.targetDepth));
  return {
    ...base,
    requiredRank: fromRanks.requiredRank,
    rule: fromRanks.rule,
    ruleText: fromRanks.ruleText,
    guarantee: fromRanks.guarantee,
    reconstructed: fromRanks.reconstructed ?? false,
    caveats: fromRanks.caveats ?? [],
    blocks: fromRanks.blocks,
    ...fnnCost(req.width, req.depth, fromRanks.requiredRank),
  };
}

function fnnCost(width: number, depth: number, rank: number): Pick<ThresholdAnswer, 'loraParameters' | 'loraParametersNote'> {
  return {
    loraParameters: fnnLoraParameterCount(width, rank, depth),
    loraParametersNote: `rank ${rank} on all ${depth} frozen layers: 2·D·R·L`,
  };
}

function transformerAnswer(req: Extract<ThresholdRequest, { kind: 'transformer' }>): ThresholdAnswer {
  const result = req.gaps ? transformerThresholdFromGaps(req.gaps, req.embedding) : transformerWorstCase(req.embedding);
  return {
    kind: 'transformer',
    embedding: req.embedding,
    ...(req.gaps ? { gaps: req.gaps } : {}),
    requiredRank: result.requiredRank,
    rule: result.rule,
    ruleText: result.ruleText,
    guarantee: result.guarantee,
    reconstructed: result.reconstructed ?? false,
    caveats: result.caveats ?? [],
    loraParameters: 2 * req.embedding * result.requiredRank,
    loraParametersNote: `rank ${result.requiredRank} on one ${req.embedding}×${req.embedding} matrix: R·(in+out)`,
  };
}
