import { describe, expect, it } from 'vitest';
import { drResources } from '../../../deploy/dr.ts';
import { alarmName } from '../../../deploy/dr-triggers.ts';
import { deployConfig } from '../../../deploy/load-config.ts';
import { parseConfig } from '../../../lib/config/load.ts';
import { matchesPattern, validatePattern } from '../../../sandbox/eventbridge/pattern.ts';
import { PROBE_SERVICE_NAME } from '../../../lib/dr/health-report.ts';

const example = deployConfig({ LIFEGUARD_CONFIG: 'lifeguard.config.example.yaml' }).config;
const [cluster] = example.dr.clusters;

const alarmEvent = (name: string, state = 'ALARM') => ({
  version: '0',
  id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '123456789012',
  time: '2026-01-01T00:03:00Z',
  region: 'us-east-1',
  resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`],
  detail: { alarmName: name, state: { value: state, reason: 'Threshold Crossed' }, previousState: { value: 'OK' } },
});

function triggerPattern(triggerAlarmNames: string[]) {
  const config = parseConfig({ ...example, dr: { clusters: [{ ...cluster, alarm: { ...cluster!.alarm, triggerAlarmNames } }] } });
  const { resources } = drResources(config, { service: 'lifeguard', stage: 'dev' });
  const rule = resources[`FailoverTrigger${cluster!.name}Rule`] as { Properties: { EventPattern: unknown } };
  return validatePattern(rule.Properties.EventPattern);
}

describe('failover trigger', () => {
  it("starts on Lifeguard's own alarm going to ALARM, not on OK or another alarm", () => {
    const pattern = triggerPattern([]);
    const own = alarmName('lifeguard', 'dev', cluster!.name);
    expect(matchesPattern(pattern, alarmEvent(own))).toBe(true);
    expect(matchesPattern(pattern, alarmEvent(own, 'OK'))).toBe(false);
    expect(matchesPattern(pattern, alarmEvent('someone-elses-alarm'))).toBe(false);
  });

  it('also starts on any alarm the configuration names', () => {
    const pattern = triggerPattern(['livy-5xx-rate']);
    expect(matchesPattern(pattern, alarmEvent('livy-5xx-rate'))).toBe(true);
    expect(matchesPattern(pattern, alarmEvent('livy-5xx-rate', 'INSUFFICIENT_DATA'))).toBe(false);
  });

  it('watches the metric the probe really publishes (Powertools adds the service dimension)', () => {
    const config = parseConfig(example);
    const { resources } = drResources(config, { service: 'lifeguard', stage: 'dev' });
    const alarm = resources[`ClusterHealth${cluster!.name}Alarm`] as { Properties: { Dimensions: unknown[]; TreatMissingData: string } };
    expect(alarm.Properties.Dimensions).toEqual([
      { Name: 'service', Value: PROBE_SERVICE_NAME },
      { Name: 'Cluster', Value: cluster!.name },
    ]);
    expect(alarm.Properties.TreatMissingData).toBe('breaching');
  });
});
