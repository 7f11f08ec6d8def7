import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDrillHtml, renderHandleHtml, renderHtml } from '../../cli/html-report.ts';
import { loadScenarioFile, parseScenario } from '../../sandbox/scenario/load.ts';
import { runScenario } from '../../sandbox/scenario/runner.ts';
import { cliCommand } from '../support/cli-command.ts';
import { massScenario } from '../../bench/mass.ts';
import { CHROMIUM, launchChromium, writeDemoScreenshot } from '../support/report-screenshot.ts';

const drill = cliCommand('drill');

/**
 * The HTML picture of a run, opened in a real headless Chromium (Debian's `chromium`, which .ci/run
 * installs): what the page shows — rows, bars in the right order, the deadline line where the
 * deadline is, the legend — not only that a file was written.
 */
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-html-'));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  browser = await launchChromium();
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

/** Each lane's pods, bars and marks, as the browser lays them out. */
async function lanes(page: Page) {
  return page.$$eval('details[data-node]', (ds) =>
    ds.map((d) => {
      const box = (e: ReturnType<typeof d.querySelector>) => (e ? e.getBoundingClientRect() : null);
      const mark = (kind: string) => {
        const g = d.querySelector(`[data-mark="${kind}"]`);
        return g ? { t: Number(g.getAttribute('data-t')), x: box(g.querySelector('line'))!.left } : null;
      };
      return {
        node: d.getAttribute('data-node'),
        open: (d as unknown as { open: boolean }).open,
        // Open, and not inside a closed group: its picture is on the page.
        shown: (d.querySelector('svg') as unknown as { checkVisibility(): boolean }).checkVisibility(),
        pods: [...d.querySelectorAll('[data-pod]')].map((g) => ({ pod: g.getAttribute('data-pod'), outcome: g.getAttribute('data-outcome'), left: box(g.querySelector('rect'))!.left, right: box(g.querySelector('rect'))!.right, width: box(g.querySelector('rect'))!.width })),
        groups: [...d.querySelectorAll('[data-group]')].map((t) => t.textContent),
        ticks: [...d.querySelectorAll('[data-tick]')].map((t) => Number(t.getAttribute('data-tick'))),
        warning: mark('warning'),
        cordon: mark('cordon'),
        deadline: mark('deadline'),
        terminated: mark('terminated'),
      };
    }),
  );
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const legendOf = (page: Page) => page.$$eval('[data-legend]', (ls) => ls.map((l) => l.getAttribute('data-legend')));
const textOf = (page: Page) => page.$eval('body', (b) => (b as unknown as { innerText: string }).innerText);

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
    const deadline = await page.$eval('[data-deadline]', (g) => ({ node: g.getAttribute('data-deadline'), t: Number(g.getAttribute('data-t')), x: g.querySelector('line')!.getBoundingClientRect().left, visible: g.querySelector('line')!.getBoundingClientRect().height > 0 }));
    expect(deadline).toMatchObject({ node: 'ip-10-0-1-10.ec2.internal', t: 130, visible: true });
    expect(deadline.x).toBeGreaterThan(webA.left + webA.width);
    const text = await textOf(page);
    expect(text).toContain('deadline ip-10-0-1-10.ec2.internal (130s)');
    expect(text).toContain(`forced deletions: ${result.summary.forcedDeletions}`);
    // The legend names what the page shows, and nothing else (no pod was killed, none untouched).
    expect(await legendOf(page)).toEqual(['evicted', 'deleted', 'refusal', 'forced', 'warning', 'cordon', 'deadline', 'terminated']);

    const shot = join('.ci', 'out', 'html-report-pdb-blocked.png');
    mkdirSync(join('.ci', 'out'), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  }, 60_000);

  it('the demo: a lane per node with its warning, cordon, deadline and end where they happened, the untouched driver, round ticks, the legend of what is there', async () => {
    const { page, result } = await open('sandbox/scenarios/demo.yaml');
    const [spot, onDemand, ...others] = await lanes(page);
    expect(others).toEqual([]);
    expect(spot!.node).toBe('ip-10-0-1-10.ec2.internal');
    expect(spot!.groups).toEqual(['Spark spark-0001: executors', 'Other pods']);
    expect(spot!.pods.map((p) => p.pod)).toEqual(['spark/etl-exec-1', 'spark/etl-exec-2', 'spark/etl-exec-3', 'default/web-7d9f-a', 'kube-system/log-agent-x1']);
    // Warned at 10 s (the event's delivery), cordoned once the function ran, the executors evicted
    // after the cordon, every bar ended before the deadline, and the instance gone at it.
    expect(spot!.warning!.t).toBe(10);
    expect(spot!.cordon!.t).toBeCloseTo(result.summary.cordonLatencySeconds! + 10, 1);
    expect(spot!.deadline!.t).toBe(130);
    expect(spot!.terminated!.t).toBe(result.nodes['ip-10-0-1-10.ec2.internal']!.terminatedAt);
    expect(spot!.warning!.x).toBeLessThan(spot!.cordon!.x);
    const executors = spot!.pods.slice(0, 3);
    for (const e of executors) expect(e.left).toBeGreaterThanOrEqual(spot!.cordon!.x - 1);
    expect(Math.max(...executors.map((e) => e.right))).toBeLessThan(spot!.deadline!.x);
    // The driver on On-Demand: nothing touched it, and it is shown, running on across the axis.
    expect(onDemand!.node).toBe('ip-10-0-2-20.ec2.internal');
    expect(onDemand!.pods).toMatchObject([{ pod: 'spark/etl-driver', outcome: 'untouched' }]);
    expect(onDemand!.pods[0]!.width).toBeGreaterThan(800);
    expect(onDemand!.warning).toBeNull();
    // 130 s of interruption: ticks every 20 s, the same on every lane.
    expect(spot!.ticks).toEqual([0, 20, 40, 60, 80, 100, 120, 140]);
    expect(onDemand!.ticks).toEqual(spot!.ticks);
    expect(await legendOf(page)).toEqual(['evicted', 'skipped', 'untouched', 'warning', 'cordon', 'deadline', 'terminated']);
    expect(await page.$('[data-summary="driversBeforeExecutors"]')).toBeNull();
    expect(await page.$eval('[data-quiet]', (p) => p.getAttribute('data-quiet'))).toBe('1');
  }, 60_000);

  it('the demo: every failover phase named (inside its segment or beside it, no two names overlapping), and the clusters, zones, masters and target switch the text output lists', async () => {
    const { page, result } = await open('sandbox/scenarios/demo.yaml');
    const failover = result.failover!;
    expect(await page.$eval('[data-rto]', (h) => h.textContent)).toBe(`Failover: RTO ${failover.rtoSeconds} s`);
    const phases = await page.$$eval('[data-phase]', (gs) =>
      gs.map((g) => ({ phase: g.getAttribute('data-phase'), width: g.querySelector('rect')!.getBoundingClientRect().width, label: g.querySelector('[data-label]')?.textContent ?? null, box: g.querySelector('[data-label]')!.getBoundingClientRect()as Box })),
    );
    // Segments for the phases that took time, in order, in proportion to their seconds.
    expect(phases.map((p) => p.phase)).toEqual(Object.entries(failover.phases!).filter(([, s]) => s > 0).map(([p]) => p));
    expect(phases.reduce((a, b) => (b.width > a.width ? b : a)).phase).toBe('create');
    for (const p of phases) expect(p.label).toBe(`${p.phase} ${failover.phases![p.phase as keyof typeof failover.phases]}s`);
    const overlap = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    for (const [i, a] of phases.entries()) for (const b of phases.slice(i + 1)) expect(overlap(a.box, b.box), `${a.phase} / ${b.phase}`).toBe(false);
    expect(await page.$$eval('[data-phase-key]', (ks) => ks.map((k) => k.textContent))).toEqual(Object.entries(failover.phases!).map(([p, s]) => `${p} ${s} s`));

    // The clusters: the old one in the impaired zone, the new one in the other with its master.
    const clusters = await page.$$eval('[data-cluster]', (rs) => rs.map((r) => [r.getAttribute('data-cluster'), ...['state', 'zone', 'master'].map((f) => r.querySelector(`[data-field="${f}"]`)!.textContent)]));
    expect(clusters).toEqual(Object.values(failover.clusters).map((c) => [c.name, c.state, c.zone, c.masterIp]));
    expect(clusters).toContainEqual(['analytics', 'TERMINATED', 'us-east-1a', '10.0.1.10']);
    expect(clusters.find((c) => c[0] !== 'analytics')!.slice(1)).toEqual(['WAITING', 'us-east-1b', '10.0.2.101']);
    // The target switch: the old master's lane ends draining, the new master's ends healthy.
    const targets = await page.$$eval('[data-target]', (gs) => gs.map((g) => ({ target: g.getAttribute('data-target'), states: [...g.querySelectorAll('[data-state]')].map((r) => r.getAttribute('data-state')) })));
    expect(targets.map((t) => t.target)).toEqual(['10.0.1.10:8998', '10.0.2.101:8998']);
    expect(targets[0]!.states[0]).toBe('healthy');
    expect(targets[0]!.states).toContain('unhealthy');
    expect(targets[1]!.states.at(-1)).toBe('healthy');
    const switchedAt = Object.values(failover.targetHealth)[0]!.find((h) => h.targets.some((t) => t.ip === '10.0.2.101' && t.state === 'healthy'))!.t;
    expect(await page.$eval('[data-target-group]', (h) => h.textContent)).toBe(`Target group targetgroup/emr-livy/0a1b2c3d4e5f6a7b: switched at ${switchedAt} s`);
    const ticks = await page.$$eval('[data-chart="targets"] [data-tick]', (ts) => ts.map((t) => Number(t.getAttribute('data-tick'))));
    expect(ticks.every((t) => t % 120 === 0)).toBe(true);
  }, 60_000);

  it('a driver stopped before its executors is said in the summary', async () => {
    const { page, result } = await open('sandbox/scenarios/beside-karpenter.yaml');
    expect(result.summary.driversBeforeExecutors).toBeGreaterThan(0);
    expect(await page.$eval('[data-summary="driversBeforeExecutors"]', (l) => l.textContent)).toBe(`drivers stopped before their executors: ${result.summary.driversBeforeExecutors} (Spark's order broken)`);
  }, 60_000);

  it('200 reclaimed nodes read as a few groups of nodes alike, the first open, every node once', async () => {
    const result = await runScenario(parseScenario(massScenario({ nodes: 200, executorsPerNode: 2 })));
    const page = await show('mass', renderHtml(result));
    const all = await lanes(page);
    expect(all).toHaveLength(200);
    expect(new Set(all.map((l) => l.node)).size).toBe(200);
    const groups = await page.$$eval('[data-alike]', (ds) => ds.map((d) => ({ n: Number(d.getAttribute('data-alike')), open: (d as unknown as { open: boolean }).open })));
    expect(groups.length).toBeLessThanOrEqual(12);
    expect(groups.reduce((sum, g) => sum + g.n, 0) + (await page.$$('body > details[data-node]')).length).toBe(200);
    expect(groups.map((g) => g.open)).toEqual(groups.map((_, i) => i === 0));
    // Collapsed, the whole page fits in a few screens: one lane pictured, the rest a line each.
    expect(all.filter((l) => l.shown)).toHaveLength(1);
    expect(await page.$eval('body', (b) => b.scrollHeight)).toBeLessThan(1500);
  }, 120_000);

  it('handle --html pictures the drain from the handler report alone; drill --html the phases, the new cluster and the target switch', async () => {
    const { result } = await open('sandbox/scenarios/demo.yaml');
    const page = await show('handle', renderHandleHtml(result.invocations[0]!.report!));
    const [lane] = await lanes(page);
    // The executors (grouped first), then the web pod; the DaemonSet pod was never acted on.
    expect([...lane!.pods.slice(0, 3).map((p) => p.pod)].sort()).toEqual(['spark/etl-exec-1', 'spark/etl-exec-2', 'spark/etl-exec-3']);
    expect(lane!.pods.slice(3).map((p) => p.pod)).toEqual(['default/web-7d9f-a']);
    expect(lane!.deadline).not.toBeNull();
    expect(lane!.warning!.t).toBe(0);
    expect(lane!.cordon!.t).toBeGreaterThanOrEqual(0);
    expect(await page.$eval('[data-deadline]', (l) => l.getAttribute('data-deadline'))).toBe('ip-10-0-1-10.ec2.internal');

    const aws = await show('drill-aws', renderDrillHtml('analytics', 'FailoverCompleted', { rtoSeconds: 650, phases: { detect: 20, create: 600, healthy: 30 }, newClusterId: 'j-NEW', availabilityZone: 'us-east-1b', newMasterIp: '10.0.2.7', oldClusterRetired: false }));
    expect(await aws.$eval('[data-rto]', (h) => h.textContent)).toBe('Failover: RTO 650 s');
    expect(await aws.$$eval('[data-phase]', (gs) => gs.map((g) => g.getAttribute('data-phase')))).toEqual(['detect', 'create', 'healthy']);
    expect(await aws.$eval('[data-summary="newCluster"]', (l) => l.textContent)).toBe('new cluster j-NEW in us-east-1b, master 10.0.2.7; old cluster kept');
    expect(await aws.$('[data-empty]')).toBeNull();

    // `lifeguard drill --sandbox builtin --html`: the page of a sandbox drill has every cluster and the switch.
    const file = join(dir, 'drill-cli.html');
    const out: string[] = [];
    expect(await drill(['--cluster', 'analytics', '--sandbox', 'builtin', '--html', file], { out: (t) => out.push(t), err: () => {} })).toBe(0);
    const sandbox = await browser.newPage();
    await sandbox.goto(pathToFileURL(file).href);
    const summary = out.join('\n').match(/new cluster (\S+) in (\S+), master ([^;\s]+)/)!;
    expect(await sandbox.$eval('[data-summary="newCluster"]', (l) => l.textContent)).toContain(`new cluster ${summary[1]} in ${summary[2]}, master ${summary[3]}`);
    const clusters = await sandbox.$$eval('[data-cluster]', (rs) => rs.map((r) => [r.querySelector('[data-field="zone"]')!.textContent, r.querySelector('[data-field="master"]')!.textContent]));
    expect(clusters).toContainEqual([summary[2], summary[3]]);
    expect(await sandbox.$$eval('[data-target]', (gs) => gs.map((g) => g.getAttribute('data-target')))).toContain(`${summary[3]}:8998`);
  }, 60_000);

  it('the screenshot helper (npm run report:screenshot) writes the demo page as a PNG', async () => {
    const png = join(dir, 'demo.png');
    await writeDemoScreenshot(browser, png);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    // Width and height from the IHDR chunk: the viewport's width, the page's full height.
    expect(bytes.readUInt32BE(16)).toBe(1260);
    expect(bytes.readUInt32BE(20)).toBeGreaterThan(900);
  }, 60_000);
});
