/** Input boxes that only accept what the theory accepts, with the reason shown while typing. */
import * as vscode from 'vscode';

interface NumberPrompt {
  title: string;
  prompt: string;
  min: number;
  max?: number;
  placeHolder?: string;
}

export function wholeNumberProblem(text: string, min: number, max?: number): string | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return 'Enter a whole number.';
  const n = Number(t);
  if (n < min) return `Enter a number of at least ${min}.`;
  if (max !== undefined && n > max) return `Enter a number of at most ${max}.`;
  return undefined;
}

export async function askWholeNumber(p: NumberPrompt): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: p.title,
    prompt: p.prompt,
    placeHolder: p.placeHolder,
    ignoreFocusOut: true,
    validateInput: (value) => wholeNumberProblem(value, p.min, p.max),
  });
  return text === undefined ? undefined : Number(text.trim());
}

/** A comma-separated list; empty input is allowed and returns []. Undefined when cancelled. */
export async function askIntList(p: NumberPrompt & { count?: number }): Promise<number[] | undefined> {
  const problem = (value: string): string | undefined => {
    if (value.trim() === '') return undefined;
    const parts = value.split(',');
    for (const part of parts) {
      const bad = wholeNumberProblem(part, p.min, p.max);
      if (bad) return `Each value: ${bad.toLowerCase()}`;
    }
    if (p.count !== undefined && parts.length !== p.count) return `Enter ${p.count} values, one per block.`;
    return undefined;
  };
  const text = await vscode.window.showInputBox({ title: p.title, prompt: p.prompt, ignoreFocusOut: true, validateInput: problem });
  if (text === undefined) return undefined;
  return text.trim() === '' ? [] : text.split(',').map((s) => Number(s.trim()));
}
