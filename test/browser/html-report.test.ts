import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDrillHtml, renderHandleHtml, renderHtml } from '../../cli/html-report.ts';
import { loadScenarioFile } from '../../sandbox/scenario/load.ts';
import { runScenario } from '../../sandbox/scenario/runner.ts';

/**
 * The HTML picture of a run, opened in a real headless Chromium (Debian's `chromium`, which .ci/run
 * installs): what the page shows — rows, bars in the right order, the deadline line where the
 * deadline is, the legend — not only that a file was written.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-html-'));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}, 60_000);
afterAll(async () => browser?.close());

async function show(name: string, html: string) {
  const file = join(dir, `${name}.html`);
  writeFileSync(file, html);
  const page = await browser.newPage();
  await page.setViewport({ width: 1300, height: 700 });
  await page.goto(pathToFileURL(file).href);
  return page;
}

async function open(scenario: string) {
  const result = await runScenario(loadScenarioFile(scenario));
  return { page: await show(result.scenario, renderHtml(result)), result };
}

describe('the HTML report, in a browser', () => {
  it('a PDB-blocked drain: a row per pod, the executor first, the refusals and the forced deletion marked, the deadline line at its time', async () => {
    const { page, result } = await open('sandbox/scenarios/pdb-blocked.yaml');
    const rows = await page.$$eval('[data-pod]', (gs) =>
      gs.map((g) => {
        const bar = g.querySelector('rect')!.getBoundingClientRect();
        return { pod: g.getAttribute('data-pod'), outcome: g.getAttribute('data-outcome'), left: bar.left, width: bar.width, refusals: g.querySelectorAll('[data-refusal]').length, forced: g.querySelector('[data-forced]') !== null };
      }),
    );
    expect(rows.map((r) => [r.pod, r.outcome])).toEqual([
      ['spark/etl-exec-1', 'evicted'],
      ['default/web-a', 'deleted'],
    ]);
    const [exec, webA] = rows as [(typeof rows)[number], (typeof rows)[number]];
    expect(exec.left).toBeLessThanOrEqual(webA.left);
    expect(exec.width).toBeGreaterThan(50);
    // Evicted alongside the executor from 10.5 s, refused by its budget until the forced deletion at
    // 94 s: a mark per refused attempt, every attempt but the deletion.
    expect(webA.refusals).toBe(18);
    expect(result.pods['default/web-a']!.lifeguard!.attempts).toBe(webA.refusals + 1);
    expect(webA.forced).toBe(true);

    // The deadline line is drawn where the deadline is: to the right of every bar, on the time axis.
    const deadline = await page.$eval('[data-deadline]', (l) => ({ node: l.getAttribute('data-deadline'), t: Number(l.getAttribute('data-t')), x: l.getBoundingClientRect().left, visible: l.getBoundingClientRect().height > 0 }));
    expect(deadline).toMatchObject({ node: 'ip-10-0-1-10.ec2.internal', t: 130, visible: true });
    expect(deadline.x).toBeGreaterThan(webA.left + webA.width);
    const text = await page.$eval('body', (b) => (b as unknown as { innerText: string }).innerText);
    expect(text).toContain('deadline ip-10-0-1-10.ec2.internal (130s)');
    expect(text).toContain(`forced deletions: ${result.summary.forcedDeletions}`);
    for (const item of ['evicted', 'deleted', 'killed-at-deadline', 'PDB refusal', 'forced deletion', 'deadline']) expect(text).toContain(item);

    const shot = join('.ci', 'out', 'html-report-pdb-blocked.png');
    mkdirSync(join('.ci', 'out'), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  }, 60_000);

  it('the demo: executors grouped by application, and the failover phases with the RTO', async () => {
    const { page, result } = await open('sandbox/scenarios/demo.yaml');
    const groups = await page.$$eval('[data-group]', (ts) => ts.map((t) => t.textContent));
    expect(groups[0]).toBe('Spark spark-0001: executors');
    const rto = await page.$eval('[data-rto]', (h) => h.textContent);
    expect(rto).toBe(`Failover: RTO ${result.failover!.rtoSeconds} s`);
    const phases = await page.$$eval('[data-phase]', (gs) => gs.map((g) => ({ phase: g.getAttribute('data-phase'), width: g.querySelector('rect')!.getBoundingClientRect().width })));
    expect(phases.map((p) => p.phase)).toEqual(Object.keys(result.failover!.phases!));
    // Widths in proportion to the seconds: create (600 s) is the widest.
    expect(phases.reduce((a, b) => (b.width > a.width ? b : a)).phase).toBe('create');
  }, 60_000);

  it('handle --html pictures the drain from the handler report alone; drill --html the phases', async () => {
    const { result } = await open('sandbox/scenarios/demo.yaml');
    const page = await show('handle', renderHandleHtml(result.invocations[0]!.report!));
    const pods = await page.$$eval('[data-pod]', (gs) => gs.map((g) => g.getAttribute('data-pod')));
    // The executors (grouped first), then the web pod; the DaemonSet pod was never acted on.
    expect([...pods.slice(0, 3)].sort()).toEqual(['spark/etl-exec-1', 'spark/etl-exec-2', 'spark/etl-exec-3']);
    expect(pods.slice(3)).toEqual(['default/web-7d9f-a']);
    expect(await page.$eval('[data-deadline]', (l) => l.getAttribute('data-deadline'))).toBe('ip-10-0-1-10.ec2.internal');

    const drill = await show('drill', renderDrillHtml('analytics', 'FailoverCompleted', { rtoSeconds: 650, phases: { detect: 20, create: 600, healthy: 30 } }));
    expect(await drill.$eval('[data-rto]', (h) => h.textContent)).toBe('Failover: RTO 650 s');
    expect(await drill.$$eval('[data-phase]', (gs) => gs.map((g) => g.getAttribute('data-phase')))).toEqual(['detect', 'create', 'healthy']);
    expect(await drill.$eval('[data-empty]', (p) => p.textContent)).toMatch(/No pod/);
  }, 60_000);
});
