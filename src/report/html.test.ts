import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureRun } from '../../test/support/fixture-run.js';
import { loadBudgets } from '../budgets/load.js';
import type { CheckResult } from '../run/records.js';
import { judgeRun } from '../verify/judge-run.js';
import { htmlReport } from './html.js';
import { writeReports, type ReportJson } from './index.js';

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
          let phase = 0;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] > 0) ink++;
            // the translucent red of a fault window
            if (data[i + 3] > 0 && data[i] > 150 && data[i + 1] < 60 && data[i + 3] < 80) shaded++;
            // the dashed magenta of a budget line
            if (data[i + 3] > 200 && data[i] > 170 && data[i + 1] < 40 && data[i + 2] > 170) limit++;
            // the dashed blue of a phase's start (#0550ae)
            if (data[i + 3] > 200 && data[i] < 30 && data[i + 1] > 60 && data[i + 1] < 100 && data[i + 2] > 150) phase++;
          }
          return { width: c.width, height: c.height, ink, shaded, limit, phase };
        }),
      };
    })()`)) as { drawn: number; titles: string[]; legends: string[]; canvases: Array<{ width: number; height: number; ink: number; shaded: number; limit: number; phase: number }> };
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
      // three phases (baseline, surge, cooldown): a dashed line at each start, named
      expect(c.phase).toBeGreaterThan(150);
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

  it('opens with the headline figures, then every failed item, then the charts', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(run.path('reportHtml')).href);
    const result = (await page.evaluate(`(() => {
      const figures = Object.fromEntries([...document.querySelectorAll('#headline [data-figure]')].map((e) => [e.dataset.figure, { value: e.querySelector('.value').textContent, label: e.querySelector('.label').textContent }]));
      const order = ['headline', 'failures', 'charts'].map((id) => document.getElementById(id));
      const before = (a, b) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
      return { figures, ordered: before(order[0], order[1]) && before(order[1], order[2]), failures: [...document.querySelectorAll('#failures li')].map((li) => li.textContent) };
    })()`)) as { figures: Record<string, { value: string; label: string }>; ordered: boolean; failures: string[] };
    expect(Object.keys(result.figures)).toEqual(['peak', 'p95-at-peak', 'error-rate', 'faults', 'profile']);
    expect(result.figures.peak!.value).toMatch(/^\d+(\.\d)? req\/s$/);
    expect(result.figures.peak!.label).toMatch(/peak reached \(busiest \d+ s, \+\d+–\d+ s\)/);
    expect(result.figures['p95-at-peak']!.value).toMatch(/^\d+(\.\d)? ms$/);
    expect(result.figures['error-rate']!.value).toMatch(/^\d+\.\d\d %$/);
    expect(result.figures.faults).toEqual({ value: '1', label: 'faults injectedrecommendations down at +30 s for 15 s' });
    expect(result.figures.profile!.value).toBe('smoke');
    expect(result.figures.profile!.label).toContain('time ×0.1 (10× faster)');
    expect(result.ordered).toBe(true);
    const failedItems = judged.checks.flatMap((c) => (c.status !== 'fail' ? [] : c.details.some((d) => d.status === 'fail') ? c.details.filter((d) => d.status === 'fail').map((d) => d.name) : [c.title]));
    expect(result.failures).toHaveLength(failedItems.length);
    await page.close();
  });

  it('styles failed rows as failures, unmistakably apart from passing ones', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(run.path('reportHtml')).href);
    const rows = (await page.evaluate(`[...document.querySelectorAll('tr.check, tr.detail')].map((tr) => {
      const status = tr.querySelector('td.status');
      return { cls: tr.className, background: getComputedStyle(tr.cells[0]).backgroundColor, text: status.textContent, color: getComputedStyle(status).color };
    })`)) as Array<{ cls: string; background: string; text: string; color: string }>;
    const failed = rows.filter((r) => / s-fail\b/.test(r.cls));
    const passed = rows.filter((r) => / s-pass\b/.test(r.cls));
    const failedDetails = judged.checks.flatMap((c) => c.details.filter((d) => d.status === 'fail'));
    expect(failed.filter((r) => r.cls.startsWith('detail'))).toHaveLength(failedDetails.length);
    expect(passed.length).toBeGreaterThan(5);
    for (const r of failed) expect(r).toMatchObject({ background: 'rgb(255, 235, 233)', text: '✗ FAIL', color: 'rgb(207, 34, 46)' });
    for (const r of passed) {
      expect(r.background).not.toBe('rgb(255, 235, 233)');
      expect(r.text).toBe('✓ pass');
    }
    await page.close();
  });

  it('folds the rows of services that never crossed their target, and never says warn and pass at once', async () => {
    const quiet = ['search', 'payments', 'orders'].flatMap((service) =>
      ['metrics', 'reaction', 'peak', 'flapping'].map((item) => ({ name: `${service} ${item}`, status: item === 'reaction' ? ('skip' as const) : ('pass' as const), figure: 'n/a', limit: '-', group: 'services whose utilisation never rose above their target' })),
    );
    const scaleOut: CheckResult = {
      id: 'scale-out',
      title: 'Scale-out',
      status: 'pass',
      figure: 'scaled out',
      limit: '<= 6s',
      details: [
        { name: 'catalog reaction', status: 'pass', figure: '0.0s', limit: '<= 6.0s' },
        { name: 'catalog capacity', status: 'pass', figure: 'CPU 133m → 122m', limit: 'headroom added', note: 'warning: catalog had spare CPU before the scale-out' },
        ...quiet,
      ],
    };
    const report = JSON.parse(readFileSync(run.path('reportJson'), 'utf8')) as ReportJson;
    const file = join(base, 'folded.html');
    writeFileSync(file, htmlReport({ report: { ...report, checks: [scaleOut] }, data, budgets, generatedAt: new Date() }));
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    const result = (await page.evaluate(`(() => ({
      visible: [...document.querySelectorAll('tr.detail')].filter((tr) => tr.checkVisibility()).map((tr) => tr.cells[0].textContent + ' | ' + tr.querySelector('td.status').textContent + ' | ' + tr.cells[4].textContent),
      folded: [...document.querySelectorAll('tr.group summary')].map((s) => s.textContent),
      open: [...document.querySelectorAll('tr.group details')].map((d) => d.open),
    }))()`)) as { visible: string[]; folded: string[]; open: boolean[] };
    expect(result.visible).toEqual(['catalog capacity | ⚠ WARN | catalog had spare CPU before the scale-out', 'catalog reaction | ✓ pass | ']);
    expect(result.folded).toEqual(['12 rows folded: 3 services whose utilisation never rose above their target (search, payments, orders)']);
    expect(result.open).toEqual([false]);
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
