import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Dashboard, startDashboard } from '@sluice/dashboard';
import { withMockApi } from '@sluice/mock-api';
import { collect, REPO_ROOT, spawnCli, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { cliFlags, colourSpec, testEngine } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT_DIR = join(REPO_ROOT, '.artifacts', 'screenshots');
const hasChromium = existsSync(CHROMIUM);

/** The number shown in a crawl card's field. */
async function shown(page: Page, field: string): Promise<string> {
  return (await page.locator(`[data-crawl="colours"] [data-testid="${field}"]`).textContent()) ?? '';
}

/** Counts the mock's requests over one second, until two readings match. */
async function mockStandsStill(requests: () => number): Promise<number> {
  let stable = -1;
  await waitFor(
    async () => {
      const before = requests();
      await new Promise((r) => setTimeout(r, 1000));
      stable = requests();
      return stable === before;
    },
    { timeoutMs: 20_000, what: 'fetching to stop after pause' },
  );
  return stable;
}

describe('the dashboard page in a real browser', () => {
  (hasChromium ? test : test.skip)(
    hasChromium
      ? 'shows live progress, pauses and resumes a running crawl'
      : `shows live progress, pauses and resumes a running crawl: SKIPPED, ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`,
    async () => {
      await withTempDir((dir) =>
        withRedisPrefix('dashbrowser', ({ url, prefix }) =>
          withMockApi({ latencyMs: 20, outcomes: { '000002': [404], '00000B': [404], '000015': [500] } }, async (mock) => {
            const total = 5_000;
            const specPath = join(dir, 'spec.json');
            const spec = colourSpec(mock.url, total, {
              limits: { concurrency: 3 },
              retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
            });
            writeFileSync(specPath, JSON.stringify(spec));
            const runner: ChildProcess = spawnCli([...cliFlags(dir, url, prefix), 'run', specPath, '--no-progress']);
            const finished = collect(runner);
            const engine = await testEngine(dir, url, prefix);
            let dashboard: Dashboard | null = null;
            let browser: Browser | null = null;
            try {
              dashboard = await startDashboard({ engine, port: 0 });
              browser = await chromium.launch({
                executablePath: CHROMIUM,
                args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
              });
              const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
              const pageErrors: string[] = [];
              page.on('pageerror', (err) => pageErrors.push(err.message));
              page.on('console', (msg) => {
                if (msg.type() === 'error') pageErrors.push(msg.text());
              });
              await page.goto(dashboard.url);
              await page.locator('[data-crawl="colours"]').waitFor({ timeout: 15_000 });
              await waitFor(async () => (await page.locator('#connection').textContent()) === 'live', { what: 'the live event stream' });

              // Live progress: the number on the page grows without a reload.
              const firstDone = Number(await shown(page, 'done'));
              await waitFor(async () => Number(await shown(page, 'done')) > firstDone + 20, { what: 'the done count to grow on the page' });
              expect(await shown(page, 'state')).toBe('running');

              await page.locator('[data-crawl="colours"] [data-action="pause"]').click();
              await waitFor(async () => (await shown(page, 'state')) === 'paused', { what: 'the page to show the crawl paused' });
              expect((await engine.store.crawls.find('colours'))?.paused).toBe(true);
              const stable = await mockStandsStill(() => mock.stats().requests);
              const pausedDone = Number(await shown(page, 'done'));
              await waitFor(async () => Number(await shown(page, 'done')) === (await engine.store.ledger.progress(1)).done, {
                what: 'the page to show the ledger count',
              });
              expect(await page.locator('[data-crawl="colours"] [data-action="resume"]').isEnabled()).toBe(true);
              expect(mock.stats().requests).toBe(stable);

              await page.locator('[data-crawl="colours"] [data-action="resume"]').click();
              await waitFor(async () => (await shown(page, 'state')) === 'running', { what: 'the page to show the crawl running' });
              await waitFor(async () => Number(await shown(page, 'done')) > pausedDone + 20, { what: 'progress after resume' });
              expect(mock.stats().requests).toBeGreaterThan(stable);

              // The failed-keys table and the chart fill in from the API.
              await waitFor(async () => (await page.locator('#failed-rows td').allTextContents()).includes('00000B'), {
                what: 'the failed key in the table',
              });
              // Three complete 10 s buckets make a chart worth a screenshot.
              const chartPoints = async () =>
                ((await page.locator('#chart polyline').getAttribute('points', { timeout: 1000 })) ?? '').split(' ').length;
              await waitFor(async () => (await chartPoints()) >= 3, {
                timeoutMs: 45_000,
                intervalMs: 500,
                what: 'three points in the throughput chart',
              });
              expect(pageErrors).toEqual([]);

              mkdirSync(SCREENSHOT_DIR, { recursive: true });
              const shot = join(SCREENSHOT_DIR, 'dashboard.png');
              await page.screenshot({ path: shot, fullPage: true });
              expect(existsSync(shot)).toBe(true);
              if (process.env.SLUICE_UPDATE_DOCS === '1') copyFileSync(shot, join(REPO_ROOT, 'docs', 'dashboard.png'));
            } finally {
              await browser?.close();
              await dashboard?.close();
              await engine.close();
              if (runner.exitCode === null && runner.signalCode === null) runner.kill('SIGKILL');
              await finished;
            }
          }),
        ),
      );
    },
  );
});
