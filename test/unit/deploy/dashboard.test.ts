import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lifeguardDashboard } from '../../../deploy/dashboard.ts';
import { INTERRUPTION_METRICS, INTERRUPTION_SERVICE } from '../../../deploy/metric-names.ts';
import { parseConfig } from '../../../lib/config/load.ts';
import { CLUSTER_HEALTHY_METRIC, publishVerdict } from '../../../lib/dr/health-report.ts';
import { INTERRUPTION_METRICS as EMITTED_METRICS } from '../../../lib/observability/interruption-metrics.ts';
import { drTestConfig } from '../../support/dr-config.ts';

interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: { title?: string; metrics?: unknown[][] };
}
const body = (resources: Record<string, unknown>) =>
  JSON.parse((resources.LifeguardDashboard as { Properties: { DashboardBody: { 'Fn::Sub': string } } }).Properties.DashboardBody['Fn::Sub']) as { widgets: Widget[] };

/** The names the DR probe emits for a verdict on every service. */
function probeMetrics(): string[] {
  const names: string[] = [];
  const service = { healthy: true, latencyMs: 1 };
  const sink = { addDimension: () => undefined, addMetric: (name: string) => void names.push(name), publishStoredMetrics: () => undefined };
  publishVerdict(sink, { cluster: 'c', clusterId: 'j-1', healthy: true, checkedAt: 0, address: 'a', services: { resourceManager: service, nameNode: service, livy: service } });
  return names;
}

describe('the Lifeguard dashboard', () => {
  const interruptionOnly = body(lifeguardDashboard(parseConfig({ eks: [{ name: 'spark' }] }), 'lifeguard', 'dev', []));

  it('knows every metric the interruption function emits, under the dimension Powertools gives it', () => {
    // One list: the function's emit() takes only these names (a type), and the dashboard reads the same constant.
    expect(INTERRUPTION_METRICS).toBe(EMITTED_METRICS);
    expect(new Set(INTERRUPTION_METRICS).size).toBe(INTERRUPTION_METRICS.length);
    expect(readFileSync('functions/interruption.ts', 'utf8')).toContain(`serviceName: '${INTERRUPTION_SERVICE}'`);
    const lines = interruptionOnly.widgets.flatMap((w) => w.properties.metrics ?? []).filter((m) => m[0] === 'Lifeguard');
    for (const line of lines) expect(line.slice(2, 4)).toEqual(['service', INTERRUPTION_SERVICE]);
    for (const name of ['TimeToCordon', 'TimeToDrained', 'DeadlineMisses', 'SparkExecutorsNotDrained', 'PodsForceDeleted', 'PodsFailed']) {
      expect(lines.some((l) => l[1] === name)).toBe(true);
    }
  });

  it('is backed by docs/operations.md, which lists every metric emitted', () => {
    const operations = readFileSync('docs/operations.md', 'utf8');
    const metricsSection = operations.slice(operations.indexOf('## Metrics, dashboard and alarm'), operations.indexOf('## Notifications'));
    expect(metricsSection.length).toBeGreaterThan(1000);
    const probe = probeMetrics().filter((name) => name !== CLUSTER_HEALTHY_METRIC);
    for (const name of [...INTERRUPTION_METRICS, 'ClusterHealthy', ...probe, 'ColdStart']) expect(metricsSection).toContain(`\`${name}\``);
    expect(probe).toHaveLength(3);
  });

  it('shows EMR health and failover executions only when clusters are protected', () => {
    const titles = (b: { widgets: Widget[] }) => b.widgets.map((w) => w.properties.title);
    expect(titles(interruptionOnly)).not.toContain('Failover executions');
    const withDr = body(lifeguardDashboard(drTestConfig, 'lifeguard', 'dev', []));
    expect(titles(withDr)).toEqual(expect.arrayContaining(['EMR cluster health (1 healthy, 0 down)', 'Failover executions', 'Probe latency (ms)']));
    const health = withDr.widgets.find((w) => w.properties.title?.startsWith('EMR cluster health'))!;
    expect(health.properties.metrics![0]!.slice(0, 6)).toEqual(['Lifeguard', 'ClusterHealthy', 'service', 'lifeguard-dr-probe', 'Cluster', drTestConfig.dr.clusters[0]!.name]);
  });

  it('lays widgets out on the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const w of body(lifeguardDashboard(drTestConfig, 'lifeguard', 'dev', [])).widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});
