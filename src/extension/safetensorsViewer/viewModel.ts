/**
 * A validated safetensors header → everything the viewer shows (SafetensorsViewerModel).
 * Pure: no I/O, no `vscode`; the strings stay raw here and are escaped where they are rendered.
 */
import { describeCheckpoint } from '../../formats/architecture';
import type { CheckpointHeader } from '../../formats/types';
import type { SafetensorsViewerDtype, SafetensorsViewerModel } from '../../protocol';
import { elementCount, groupForViewer } from './grouping';

/** Facts about the file that the header does not hold. */
export interface ViewedFileInfo {
  fileName: string;
  filePath: string;
  fileSize: number;
  headerBytes: number;
  notes?: string[];
}

const FAMILY_NAMES: Readonly<Record<string, string>> = {
  llama: 'Llama-style', phi3: 'Phi-3-style', gpt2: 'GPT-2-style', gpt_neox: 'GPT-NeoX-style',
  bert: 'BERT-style', distilbert: 'DistilBERT-style',
};

/** Totals per dtype, most bytes first. */
export function dtypeMix(header: CheckpointHeader): SafetensorsViewerDtype[] {
  const byDtype = new Map<string, SafetensorsViewerDtype>();
  for (const t of header.tensors) {
    let entry = byDtype.get(t.dtype);
    if (!entry) byDtype.set(t.dtype, (entry = { dtype: t.dtype, tensors: 0, parameters: 0, bytes: 0, analysable: t.analysable }));
    entry.tensors += 1;
    entry.parameters += elementCount(t.shape);
    entry.bytes += t.byteLength;
  }
  return [...byDtype.values()].sort((a, b) => b.bytes - a.bytes || b.tensors - a.tensors);
}

/** "0–31", or "0, 2, 4" when the indices are not contiguous (first few only). */
function describeIndices(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  if (sorted.length === 0) return '';
  const contiguous = sorted[sorted.length - 1] - sorted[0] === sorted.length - 1;
  if (contiguous && sorted.length > 1) return `${sorted[0]}–${sorted[sorted.length - 1]}`;
  return sorted.length > 6 ? `${sorted.slice(0, 6).join(', ')}, …` : sorted.join(', ');
}

/**
 * One line on the architecture, stating only what the names and shapes fix exactly (the head count
 * is a guess without config.json, so it is left out). Undefined when nothing is recognised.
 */
export function describeArchitecture(header: CheckpointHeader, layerIndices: readonly number[]): string | undefined {
  let description;
  try {
    description = describeCheckpoint(header);
  } catch {
    return undefined; // A description is a nicety: the header itself is valid.
  }
  if (description.kind === 'mlp' && description.sequentialLayers) {
    const n = description.sequentialLayers.length;
    return `Sequential MLP · ${n} linear layer${n === 1 ? '' : 's'}`;
  }
  if (description.kind !== 'transformer') return undefined;
  const dims = description.transformer;
  const parts = ['Transformer'];
  if (dims) {
    parts[0] = `Transformer · ${FAMILY_NAMES[dims.modelType] ?? dims.modelType} names`;
    if (dims.hiddenSize > 0) parts.push(`hidden ${dims.hiddenSize}`);
    if (dims.intermediateSize) parts.push(`MLP ${dims.intermediateSize}`);
    if (dims.vocabSize) parts.push(`vocabulary ${dims.vocabSize}`);
  }
  const layers = describeIndices(layerIndices);
  if (layers) parts.push(`layer${layerIndices.length === 1 ? '' : 's'} ${layers} in this file`);
  return parts.join(' · ');
}

/** The viewer's model of one file, from its validated header. */
export function buildViewerModel(header: CheckpointHeader, file: ViewedFileInfo): SafetensorsViewerModel {
  const groups = groupForViewer(header.tensors);
  let totalParameters = 0;
  let analysableTensors = 0;
  for (const t of header.tensors) {
    totalParameters += elementCount(t.shape);
    if (t.analysable) analysableTensors += 1;
  }
  const layerIndices = groups.flatMap((g) => (g.kind === 'layer' && g.layer !== undefined ? [g.layer] : []));
  const model: SafetensorsViewerModel = {
    fileName: file.fileName,
    filePath: file.filePath,
    fileSize: file.fileSize,
    headerBytes: file.headerBytes,
    tensorCount: header.tensors.length,
    totalParameters,
    dataBytes: header.totalBytes,
    analysableTensors,
    dtypes: dtypeMix(header),
    metadata: Object.entries(header.metadata).map(([key, value]) => ({ key, value })),
    notes: [...(file.notes ?? [])],
    groups,
  };
  const architecture = describeArchitecture(header, layerIndices);
  if (architecture) model.architecture = architecture;
  if (header.tensors.length > 0 && analysableTensors === 0) {
    model.notes.push('No tensor has a dtype the analysis can read (F64, F32, F16, BF16).');
  }
  return model;
}
