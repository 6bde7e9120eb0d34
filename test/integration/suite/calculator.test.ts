import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ThresholdAnswer, ThresholdRequest } from '../../../src/calculator/threshold';

const COMMAND = 'loraLens.thresholdCalculator';

async function calculate(request: ThresholdRequest): Promise<ThresholdAnswer | undefined> {
  return vscode.commands.executeCommand<ThresholdAnswer | undefined>(COMMAND, request);
}

describe('Rank Threshold Calculator command', () => {
  it('FNN D=16, L=5, L̄=2: guaranteed rank 8 (not the headline 7), uniform partition [1 2] [3 4 5]', async () => {
    const answer = await calculate({ kind: 'fnn', width: 16, depth: 5, targetDepth: 2 });
    assert.ok(answer);
    assert.equal(answer.requiredRank, 8);
    assert.equal(answer.headlineCeil, 7);
    assert.equal(answer.depthRatio, 2);
    assert.deepEqual(answer.partition, [[1, 2], [3, 4, 5]]);
    assert.equal(answer.guarantee, 'exact');
    assert.ok(answer.rule.length > 0 && answer.ruleText.length > 0);
  });

  it('FNN with discrepancy ranks: L̄ = L = 3, one layer differs by rank 2 → rank 2', async () => {
    const answer = await calculate({ kind: 'fnn', width: 16, depth: 3, targetDepth: 3, ranks: [0, 2, 0] });
    assert.equal(answer?.requiredRank, 2);
    assert.equal(answer?.depthRatio, 1);
  });

  it('Transformer D=768 → 384; gaps 5,3,6 → 3', async () => {
    assert.equal((await calculate({ kind: 'transformer', embedding: 768 }))?.requiredRank, 384);
    assert.equal((await calculate({ kind: 'transformer', embedding: 16, gaps: [5, 3, 6] }))?.requiredRank, 3);
  });

  it('rejects L̄ > L with an error message instead of an answer', async () => {
    assert.equal(await calculate({ kind: 'fnn', width: 16, depth: 2, targetDepth: 3 }), undefined);
  });
});
