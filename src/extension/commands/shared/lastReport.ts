/** The most recent Report a command produced: what the export commands use when given none. */
import type { Report } from '../../../protocol';

let last: Report | undefined;

export function rememberReport(report: Report): void {
  last = report;
}

export function lastReport(): Report | undefined {
  return last;
}
