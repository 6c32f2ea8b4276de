import type { Budgets } from '../budgets/types.js';
import type { RunData } from '../run/run-data.js';
import type { ReportJson } from './report-json.js';

/** What every report format renders from: the judged run (report.json's document) and its data. */
export interface ReportInput {
  /** the run, the judgement (checks and verdict) and the per-route figures */
  report: ReportJson;
  data: RunData;
  /** the budgets the run was judged with (charts draw their latency limits) */
  budgets?: Budgets;
  /** Grafana base URL: trace ids in report.html link to Explore */
  grafanaUrl?: string;
  /** the Tempo data source uid in that Grafana (default "tempo") */
  tempoDatasource?: string;
  generatedAt: Date;
}

/** One report format: the text of its file. It renders; it never judges or changes a result. */
export type Reporter = (input: ReportInput) => string;
