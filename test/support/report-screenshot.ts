import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { renderHtml } from '../../cli/html-report.ts';
import { loadScenarioFile } from '../../sandbox/scenario/load.ts';
import { runScenario } from '../../sandbox/scenario/runner.ts';

/**
 * The demo's HTML page (`npm start`'s scenario rendered as `simulate --html` renders it) as a PNG,
 * for docs/report-screenshot.png. Regenerate with `npm run report:screenshot`; the browser test runs
 * the same function, so the picture in the docs is one the test would also produce.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const DEMO = 'sandbox/scenarios/demo.yaml';

export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export async function writeDemoScreenshot(browser: Browser, png: string): Promise<void> {
  const result = await runScenario(loadScenarioFile(DEMO));
  const html = join(tmpdir(), `lifeguard-demo-${process.pid}.html`);
  writeFileSync(html, renderHtml(result));
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: 1260, height: 800, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(html).href);
    mkdirSync(dirname(png), { recursive: true });
    await page.screenshot({ path: png as `${string}.png`, fullPage: true });
  } finally {
    await page.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const png = process.argv[2] ?? 'docs/report-screenshot.png';
  const browser = await launchChromium();
  try {
    await writeDemoScreenshot(browser, png);
    console.log(`wrote ${png}`);
  } finally {
    await browser.close();
  }
}
