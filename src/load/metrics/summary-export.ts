import type { K6SummaryData } from './summary-data.js';

/** k6's legacy `--summary-export` JSON. */
export interface K6SummaryExport {
  root_group: K6ExportGroup;
  metrics: Record<string, Record<string, number | Record<string, boolean>>>;
}

export interface K6ExportGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, K6ExportGroup>;
  checks: Record<string, { name: string; path: string; id: string; passes: number; fails: number }>;
}

/** Converts handleSummary data to the `--summary-export` shape. */
export function summaryExport(_data: K6SummaryData): K6SummaryExport {
  throw new Error('not implemented yet');
}
