import type { Verdict } from '../verify/index.js';
import type { CheckResult } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
/** What `peakready drill` was asked to do: a game-day file, and flags that override it. */
export interface DrillOptions {
  /** the game-day file (default: the bundled shop's, scenarios/gameday.yaml) */
  gameDayFile?: string;
  /** which of its profiles to play (default: the file's own `profile`) */
  profile?: string;
  budgetsFile?: string;
  baselineFile?: string;
  /** also copy the reports here */
  reportDir?: string;
  /** overrides the file's compression (TIME_SCALE) */
  timeScale?: number;
  /** drive the user's own system instead of the bundled stack */
  target?: string;
  allowRemote?: boolean;
  basePort?: number;
  /** an external Toxiproxy (else the embedded one) */
  toxiproxyUrl?: string;
  /**
   * --database-url: a real PostgreSQL for the bundled stack (else embedded PGlite), which its SQL
   * checks read too; on a target, the database its SQL checks read
   */
  databaseUrl?: string;
  /** $DATABASE_URL: the bundled stack's database when neither the flag nor the file names one (never a target's) */
  environmentDatabaseUrl?: string;
  grafanaUrl?: string;
  /**
   * metrics from Prometheus (PromQL) instead of scraping every replica: a URL of the user's own,
   * or true: Debian's Prometheus started with the bundled stack
   */
  prometheus?: string | true;
  /** also forward every OTLP request the receiver takes to this endpoint (the user's collector, Tempo, Jaeger) */
  otlpForwardUrl?: string;
  /** seeded defects to switch on in the bundled shop (--defect, repeatable; added to the file's system.bundled.defects) */
  defects?: readonly string[];
  /** extra env for the scenario (-e KEY=VALUE) */
  env?: Record<string, string>;
  quiet?: boolean;
  color?: boolean;
  log?: (line: string) => void;
  /** a live status line; called about once a second during the load */
  onStatus?: (line: string) => void;
  /** the step the drill is in outside the load (starting the stack, reading the evidence, ...), for a live line; the log says it too */
  onStep?: (step: string) => void;
  /** the columns the status line may take (a terminal's width, asked each time); default unlimited */
  statusWidth?: () => number;
  /** the columns the verdict table may take (default 100) */
  tableWidth?: number;
}

export interface DrillResult {
  exitCode: number;
  verdict: Verdict;
  run: RunDirectory;
  files: string[];
  /** the verdict table, for the terminal */
  table: string;
  /** the judged checks (the CLI turns failures into CI annotations) */
  checks: readonly CheckResult[];
}
