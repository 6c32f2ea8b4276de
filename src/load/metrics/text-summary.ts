import type { K6SummaryData } from './summary-data.js';

export interface TextSummaryOptions {
  /** prefix of every line; k6's default is a space */
  indent?: string;
  enableColors?: boolean;
}

/** The end-of-test text summary, laid out like k6's. */
export function textSummary(_data: K6SummaryData, _options: TextSummaryOptions = {}): string {
  throw new Error('not implemented yet');
}
