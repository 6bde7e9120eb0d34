/**
 * Checkpoint key → role. One ordered rule list covers every family we know (Llama-style, Phi-3,
 * GPT-2, GPT-NeoX, BERT/RoBERTa, DistilBERT): their names do not collide once the rules are
 * ordered (BERT's `attention.output.dense` before its MLP `output.dense`). Unknown names get
 * role 'other'; nothing here throws.
 */
import type { ModuleRole } from '../types';

/** A naming scheme recognised from the tensor names alone. */
export type KeyFamily = 'llama' | 'phi3' | 'gpt2' | 'gpt_neox' | 'bert' | 'distilbert';

interface RoleRule {
  /** Tested against the module name (the key without `.weight`). */
  pattern: RegExp;
  role: ModuleRole;
  /** The naming family this rule is evidence of, when it is specific to one. */
  family?: KeyFamily;
  /** Stored as (in, out) by GPT-2's Conv1D. */
  conv1d?: boolean;
}

const SEG = '(?:^|\\.)';
const rule = (suffix: string, role: ModuleRole, family?: KeyFamily, conv1d?: boolean): RoleRule => ({
  pattern: new RegExp(`${SEG}${suffix}$`),
  role,
  family,
  conv1d,
});

/** Order matters: the first matching rule wins. */
const RULES: readonly RoleRule[] = [
  // Llama / Mistral / Qwen2 / Gemma (and many others) attention and gated MLP.
  rule('q_proj', 'q', 'llama'),
  rule('k_proj', 'k', 'llama'),
  rule('v_proj', 'v', 'llama'),
  rule('o_proj', 'o', 'llama'),
  rule('out_proj', 'o'),
  rule('gate_proj', 'gate', 'llama'),
  rule('up_proj', 'up', 'llama'),
  rule('down_proj', 'down', 'llama'),
  // Phi-3 fused projections.
  rule('qkv_proj', 'qkv', 'phi3'),
  rule('gate_up_proj', 'up', 'phi3'),
  // GPT-NeoX.
  rule('attention\\.query_key_value', 'qkv', 'gpt_neox'),
  rule('attention\\.dense', 'o', 'gpt_neox'),
  rule('mlp\\.dense_h_to_4h', 'fc_in', 'gpt_neox'),
  rule('mlp\\.dense_4h_to_h', 'fc_out', 'gpt_neox'),
  // GPT-2 Conv1D.
  rule('attn\\.c_attn', 'qkv', 'gpt2', true),
  rule('attn\\.c_proj', 'o', 'gpt2', true),
  rule('mlp\\.c_fc', 'fc_in', 'gpt2', true),
  rule('mlp\\.c_proj', 'fc_out', 'gpt2', true),
  // BERT / RoBERTa.
  rule('attention\\.self\\.query', 'q', 'bert'),
  rule('attention\\.self\\.key', 'k', 'bert'),
  rule('attention\\.self\\.value', 'v', 'bert'),
  rule('attention\\.output\\.dense', 'o', 'bert'),
  rule('intermediate\\.dense', 'fc_in', 'bert'),
  { pattern: /(?:^|\.)(?:layer|layers)\.\d+\.output\.dense$/, role: 'fc_out', family: 'bert' },
  // DistilBERT.
  rule('attention\\.q_lin', 'q', 'distilbert'),
  rule('attention\\.k_lin', 'k', 'distilbert'),
  rule('attention\\.v_lin', 'v', 'distilbert'),
  rule('attention\\.out_lin', 'o', 'distilbert'),
  rule('ffn\\.lin1', 'fc_in', 'distilbert'),
  rule('ffn\\.lin2', 'fc_out', 'distilbert'),
  // Phi-2 style MLP and attention output.
  rule('mlp\\.fc1', 'fc_in'),
  rule('mlp\\.fc2', 'fc_out'),
  rule('self_attn\\.dense', 'o'),
  // Output heads.
  rule('lm_head', 'lm_head'),
  rule('lm_head\\.decoder', 'lm_head'),
  rule('embed_out', 'lm_head'),
  rule('vocab_projector', 'lm_head'),
  rule('cls\\.predictions\\.decoder', 'lm_head'),
  // Embeddings.
  rule('(?:embed_tokens|embed_in|wte|wpe|word_embeddings|position_embeddings|token_type_embeddings|embed_positions)', 'embedding'),
  // Norms: LayerNorm/RMSNorm under their many names.
  { pattern: /(?:^|\.)(?:[A-Za-z_]*(?:norm|Norm|NORM)[A-Za-z_0-9]*|ln_\d+|ln_f|ln_[a-z]+)$/, role: 'norm' },
  // Linear heads and transforms that are not the vocabulary projection.
  rule('(?:pooler\\.dense|classifier|pre_classifier|score|vocab_transform|cls\\.predictions\\.transform\\.dense|lm_head\\.dense)', 'linear'),
];

/** Roles of linear maps (2-D weights in `y = W x`). */
export const LINEAR_ROLES: ReadonlySet<ModuleRole> = new Set<ModuleRole>([
  'q', 'k', 'v', 'o', 'qkv', 'gate', 'up', 'down', 'fc_in', 'fc_out', 'linear', 'lm_head',
]);

/** Roles that belong to attention. */
export const ATTENTION_ROLES: ReadonlySet<ModuleRole> = new Set<ModuleRole>(['q', 'k', 'v', 'o', 'qkv']);

export interface Classification {
  role: ModuleRole;
  /** 0-based block index when the name holds one (`layers.3.`, `h.3.`, `layer.3.`, `blocks.3.`). */
  layer?: number;
  family?: KeyFamily;
  conv1d: boolean;
}

const LAYER_INDEX = /(?:^|\.)(?:layers|layer|h|blocks|block)\.(\d{1,9})(?:\.|$)/;

/**
 * Classifies a module name (checkpoint key without `.weight`). `ndim` is the weight's rank:
 * linear roles and embeddings need 2-D weights, norms 1-D; anything else becomes 'other'.
 */
export function classifyModuleName(name: string, ndim: number): Classification {
  const layerMatch = LAYER_INDEX.exec(name);
  const layer = layerMatch ? Number(layerMatch[1]) : undefined;
  for (const r of RULES) {
    if (!r.pattern.test(name)) continue;
    const wantNdim = r.role === 'norm' ? 1 : 2;
    if (ndim !== wantNdim) return { role: 'other', layer, conv1d: false };
    return { role: r.role, layer, family: r.family, conv1d: r.conv1d === true };
  }
  return { role: 'other', layer, conv1d: false };
}
