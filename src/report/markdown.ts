/**
 * Markdown rendering of a Report, readable in a pull request: summary, tables, the partition plan,
 * rank_pattern as a ```json block. Every string that may come from a model file is escaped for
 * Markdown and HTML, so a module name cannot inject markup, links or raw HTML.
 */
import type { Report } from '../protocol';
import { KIND_TITLE, reportRankPattern, reportSections, summaryFacts, type RenderOptions } from './text';

/**
 * Escapes text for Markdown inline content and GFM table cells: HTML special characters become
 * entities, emphasis/code/link/table characters and ':' (autolinks) get a backslash. The text is
 * never at the start of a line (renderers put a prefix first), so block markers need no escaping.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~:])/g, '\\$1')
    // GFM turns bare www. names into links; an escaped dot stops it.
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}\\.`);
}

/** A fenced code block whose fence is longer than any backtick run inside (CommonMark). */
export function fenced(info: string, body: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

export function renderMarkdown(r: Report, options: RenderOptions = {}): string {
  const out: string[] = [`# LoRA Lens report: ${escapeMarkdown(KIND_TITLE[r.kind])}`, ''];
  for (const [k, v] of summaryFacts(r)) out.push(`- **${escapeMarkdown(k)}**: ${escapeMarkdown(v)}`);
  const { lines, tables } = reportSections(r, options.rank);
  if (lines.length) out.push('', '## Summary', '', ...lines.map((l) => `- ${escapeMarkdown(l)}`));
  if (r.fnn) {
    out.push('', '## Partition plan', '');
    r.fnn.best.partition.forEach((block, i) => {
      out.push(`${i + 1}. target layer ${i + 1} ← frozen layers ${block.join(', ')} (discrepancy rank ${r.fnn!.best.discrepancyRanks[i]}, needs rank ⌈${r.fnn!.best.discrepancyRanks[i]}/${block.length}⌉)`);
    });
  }
  for (const t of tables) {
    out.push('', `## ${escapeMarkdown(t.title)}`, '');
    out.push(`| ${t.header.map(escapeMarkdown).join(' | ')} |`);
    out.push(`|${t.header.map((_, i) => (t.numeric?.[i] ? ' ---: ' : ' --- ')).join('|')}|`);
    for (const row of t.rows) out.push(`| ${row.map(escapeMarkdown).join(' | ')} |`);
  }
  const pattern = reportRankPattern(r);
  if (pattern && Object.keys(pattern).length > 0) {
    out.push('', `## ${r.adapter ? 'Effective rank_pattern' : 'rank_pattern'}`, '', fenced('json', JSON.stringify(pattern, null, 2).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)));
  }
  if (r.notes.length) out.push('', '## Notes', '', ...r.notes.map((n) => `- ${escapeMarkdown(n)}`));
  return `${out.join('\n')}\n`;
}
