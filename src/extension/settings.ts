/** Typed mirror of the `loraLens.*` settings in package.json (keep the two in step; a test checks it). */
import * as vscode from 'vscode';
import type { BackendPreference, ToleranceInfo } from '../protocol';

export interface LoraLensSettings {
  backend: BackendPreference;
  rankTolerance: { mode: ToleranceInfo['mode']; value: number };
  targetDepth: number | null;
  rankBudget: number;
  energyTarget: number;
  baseModelPath: string | null;
  hints: { configJson: boolean; adapterConfig: boolean; python: boolean };
  engine: { memoryCapMB: number };
}

/** Every setting key, for the consistency test against package.json. */
export const SETTING_KEYS = [
  'backend', 'rankTolerance.mode', 'rankTolerance.value', 'targetDepth', 'rankBudget', 'energyTarget',
  'baseModelPath', 'hints.configJson', 'hints.adapterConfig', 'hints.python', 'engine.memoryCapMB',
] as const;

export function readSettings(scope?: vscode.ConfigurationScope): LoraLensSettings {
  const c = vscode.workspace.getConfiguration('loraLens', scope);
  return {
    backend: c.get<BackendPreference>('backend', 'auto'),
    rankTolerance: { mode: c.get<ToleranceInfo['mode']>('rankTolerance.mode', 'dtype'), value: c.get<number>('rankTolerance.value', 1) },
    targetDepth: c.get<number | null>('targetDepth', null),
    rankBudget: c.get<number>('rankBudget', 8),
    energyTarget: c.get<number>('energyTarget', 0.99),
    baseModelPath: c.get<string | null>('baseModelPath', null),
    hints: {
      configJson: c.get<boolean>('hints.configJson', true),
      adapterConfig: c.get<boolean>('hints.adapterConfig', true),
      python: c.get<boolean>('hints.python', true),
    },
    engine: { memoryCapMB: c.get<number>('engine.memoryCapMB', 4096) },
  };
}

export function toleranceFromSettings(s: LoraLensSettings): ToleranceInfo {
  return s.rankTolerance.mode === 'relative'
    ? { mode: 'relative', value: s.rankTolerance.value, description: `σ > ${s.rankTolerance.value}·σ₁` }
    : { mode: 'dtype', value: s.rankTolerance.value, description: `σ > ${s.rankTolerance.value === 1 ? '' : `${s.rankTolerance.value}·`}max(m,n)·ε_dtype·scale` };
}
