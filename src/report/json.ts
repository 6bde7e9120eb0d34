/** The JSON report: the Report object itself (schema/report.schema.json), pretty-printed. */
import type { Report } from '../protocol';

/**
 * JSON text of the report. Characters JSON.stringify leaves raw but terminals and editors treat
 * specially (DEL, C1 controls, line/paragraph separators, bidi overrides) are escaped as \uXXXX.
 */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
