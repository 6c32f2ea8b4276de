import { textSummary } from '../metrics/summary.js';
import type { K6SummaryData } from '../metrics/summary.js';
import type { K6Module } from './k6-module.js';

/** `https://jslib.k6.io/k6-summary/<version>/index.js`, served by our own text summary. */
export const SUMMARY_JSLIB = /^https:\/\/jslib\.k6\.io\/k6-summary\/[^/]+\/index\.js$/;

export const summaryJslibModule: K6Module = {
  specifier: 'https://jslib.k6.io/k6-summary/0.1.0/index.js',
  blocking: [],
  create() {
    const api = {
      textSummary: (data: K6SummaryData, options?: { indent?: string; enableColors?: boolean }) => textSummary(data, options ?? {}),
    };
    return { ...api, default: api };
  },
};
