import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureRun } from '../../test/support/fixture-run.js';
import { loadBudgets } from '../budgets/load.js';
import { judgeRun } from '../verify/judge-run.js';
import { writeReports } from './index.js';

// Debian's chromium, never a downloaded browser; no network, no background services.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

// CI sets it: fixture summaries must not land in the real job summary
delete process.env.GITHUB_STEP_SUMMARY;
const base = mkdtempSync(join(tmpdir(), 'peakready-html-'));
let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('report.html in headless Chromium', () => {
  const run = writeFixtureRun(join(base, 'run'), ['checkout-fails-in-outage', 'lost-order']);
  const budgets = loadBudgets();
  const { data, judged } = judgeRun(run, budgets);
  writeReports(run, data, judged, { budgets, grafanaUrl: 'http://127.0.0.1:3000/' });
  const html = readFileSync(run.path('reportHtml'), 'utf8');

  it('is one self-contained file', () => {
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain("default-src 'none'");
  });

  it('draws every chart with no console error and no network request', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    const fetched: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) fetched.push(r.url());
    });
    await page.goto(pathToFileURL(run.path('reportHtml')).href);
    await page.waitForSelector('body[data-charts]');
    // runs in the page (a string, so this file needs no DOM typings)
    const result = (await page.evaluate(`(() => {
      const canvases = [...document.querySelectorAll('#charts canvas')];
      return {
        drawn: Number(document.body.dataset.charts),
        titles: [...document.querySelectorAll('#charts .u-title')].map((e) => e.textContent),
        legends: [...document.querySelectorAll('#charts .u-legend')].map((e) => e.textContent),
        canvases: canvases.map((c) => {
          const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
          let ink = 0;
          let shaded = 0;
          let limit = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] > 0) ink++;
            // the translucent red of a fault window
            if (data[i + 3] > 0 && data[i] > 150 && data[i + 1] < 60 && data[i + 3] < 80) shaded++;
            // the dashed magenta of a budget line
            if (data[i + 3] > 200 && data[i] > 170 && data[i + 1] < 40 && data[i + 2] > 170) limit++;
          }
          return { width: c.width, height: c.height, ink, shaded, limit };
        }),
      };
    })()`)) as { drawn: number; titles: string[]; legends: string[]; canvases: Array<{ width: number; height: number; ink: number; shaded: number; limit: number }> };
    expect(errors).toEqual([]);
    expect(fetched).toEqual([]);
    expect(result.titles).toEqual(['Requests per second', 'Error rate', 'Latency: checkout', 'Latency: product', 'Replicas per service']);
    expect(result.drawn).toBe(5);
    expect(result.canvases).toHaveLength(5);
    for (const c of result.canvases) {
      expect(c.width).toBeGreaterThan(400);
      // series lines and axes: well over a few hundred painted pixels per chart
      expect(c.ink).toBeGreaterThan(2000);
      expect(c.shaded).toBeGreaterThan(500);
    }
    // the budget lines: p(95)<800 on checkout and product, none on the others
    expect(result.canvases.map((c) => c.limit > 300)).toEqual([false, false, true, true, false]);
    expect(result.legends[2]).toMatch(/p50.*p95.*p99/);
    expect(result.legends[4]).toMatch(/catalog/);
    await page.close();
  });

  it('links failed traces to Grafana and lists the slowest', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(run.path('reportHtml')).href);
    const links = (await page.evaluate(`[...document.querySelectorAll('a[href*="/explore?"]')].map((a) => a.href)`)) as string[];
    expect(links.length).toBe(20);
    const panes = JSON.parse(decodeURIComponent(new URL(links[0]!).searchParams.get('panes')!));
    expect((Object.values(panes)[0] as { queries: Array<{ query: string }> }).queries[0]!.query).toMatch(/^[0-9a-f]{32}$/);
    expect(await page.textContent('body')).toContain('FAIL');
    await page.close();
  });

  it('junit.xml parses as XML', async () => {
    const page = await browser.newPage();
    const xml = readFileSync(run.path('junit'), 'utf8');
    const parsed = (await page.evaluate(`(() => {
      const doc = new DOMParser().parseFromString(${JSON.stringify(xml)}, 'application/xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, cases: doc.querySelectorAll('testcase').length, failures: doc.querySelectorAll('failure').length };
    })()`)) as { error: string | null; cases: number; failures: number };
    expect(parsed.error).toBeNull();
    expect(parsed.cases).toBeGreaterThan(15);
    expect(parsed.failures).toBeGreaterThanOrEqual(4);
    await page.close();
  });
});
