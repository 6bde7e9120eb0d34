/** The design-review formats: one renderer each, all from the same Report (the CLI uses the same ones). */
import type { Report } from '../../../protocol';
import { renderHtmlReport } from '../../../report/html';
import { renderJson } from '../../../report/json';
import { renderMarkdown } from '../../../report/markdown';
import { renderPeftConfig } from '../../../report/peft';

export type DesignReviewFormat = 'markdown' | 'html' | 'json' | 'peft';

export interface FormatInfo {
  label: string;
  description: string;
  /** Save-dialog filter. */
  filter: Record<string, string[]>;
  /** Default file name for a report. */
  fileName(report: Report): string;
}

export const DESIGN_REVIEW_FORMATS: Record<DesignReviewFormat, FormatInfo> = {
  markdown: {
    label: 'Markdown',
    description: 'readable in a pull request',
    filter: { Markdown: ['md'] },
    fileName: (r) => `${reportStem(r)}.md`,
  },
  html: {
    label: 'HTML',
    description: 'self-contained, plots inlined, opens offline',
    filter: { HTML: ['html'] },
    fileName: (r) => `${reportStem(r)}.html`,
  },
  json: {
    label: 'JSON',
    description: 'the Report itself (the CLI schema)',
    filter: { JSON: ['json'] },
    fileName: (r) => `${reportStem(r)}.json`,
  },
  peft: {
    label: 'PEFT adapter_config.json',
    description: 'r, rank_pattern, alpha_pattern, target_modules',
    filter: { JSON: ['json'] },
    fileName: () => 'adapter_config.json',
  },
};

export function isDesignReviewFormat(value: unknown): value is DesignReviewFormat {
  return typeof value === 'string' && value in DESIGN_REVIEW_FORMATS;
}

/** File content of the report in a format, at a rank budget (Markdown and HTML summarise at it). */
export function renderDesignReview(report: Report, format: DesignReviewFormat, budget?: number): string {
  switch (format) {
    case 'markdown':
      return renderMarkdown(report, budget !== undefined ? { rank: budget } : {});
    case 'html':
      return renderHtmlReport(report, budget !== undefined ? { budget } : {});
    case 'json':
      return renderJson(report);
    case 'peft':
      return renderPeftConfig(report);
  }
}

/** "lora-lens-tiny-llama-base-vs-tiny-llama-finetuned": names people recognise, safe in any file system. */
export function reportStem(report: Report): string {
  const name = (source: string) => source.split(/[\\/]/).filter(Boolean).pop()?.replace(/\.(safetensors|json)$/i, '') ?? 'model';
  const parts = [name(report.models.base.source), ...(report.models.target ? [name(report.models.target.source)] : [])];
  return `lora-lens-${parts.join('-vs-')}`.replace(/[^\w.-]+/g, '_').slice(0, 120);
}
