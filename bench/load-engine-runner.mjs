// Runs one k6 script through the engine's public API (runLoadTest), the way `peakready drill`
// does in-process, without the CLI's start-up (which loads every command's modules).
// Usage: node bench/load-engine-runner.mjs SCRIPT URL SUMMARY_EXPORT_FILE
import { runLoadTest } from '../dist/src/load/run.js';

const [script, url, summaryExport] = process.argv.slice(2);
const result = await runLoadTest({ script, env: { URL: url }, quiet: true, summaryExport, stdout: () => {} });
process.exit(result.exitCode);
