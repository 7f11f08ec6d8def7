import { describe, expect, it } from 'vitest';
import { capacityReason, judgeAttempt, type AttemptInput } from '../../../lib/dr/attempts.ts';

const T0 = '2026-03-01T12:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const placements = [
  { zone: 'us-east-1b', subnetIds: ['subnet-b'] },
  { zone: 'us-east-1c', subnetIds: ['subnet-c'] },
];
const ended = (Code: string, Message: string) => ({ state: 'TERMINATED_WITH_ERRORS', status: { State: 'TERMINATED_WITH_ERRORS', StateChangeReason: { Code, Message } } });

function input(overrides: Partial<AttemptInput> = {}): AttemptInput {
  return {
    placements,
    attempts: { list: [], index: 0 },
    attempt: { placement: placements[0]!, startedAt: at(100) },
    newCluster: { ClusterId: 'j-FIRST' },
    clusterStatus: null,
    now: at(400),
    startedAt: T0,
    lastStartSeconds: 2100,
    ...overrides,
  };
}

describe('judging an attempt to create the replacement', () => {
  it("tells capacity from other failures by EMR's reason code and EC2's messages", () => {
    const insufficient = 'We currently do not have sufficient r5.4xlarge capacity in the Availability Zone you requested (us-east-1b).';
    expect(capacityReason(null, { Code: 'INSTANCE_FAILURE', Message: insufficient })).toContain('r5.4xlarge');
    expect(capacityReason(null, { Code: 'VALIDATION_ERROR', Message: 'Your requested instance type (m5.8xlarge) is not supported in your requested Availability Zone (us-east-1e).' })).not.toBeNull();
    expect(capacityReason(null, { Code: 'INSTANCE_FLEET_TIMEOUT', Message: '' })).not.toBeNull();
    expect(capacityReason(null, { Code: 'BOOTSTRAP_FAILURE', Message: insufficient })).toBeNull();
    expect(capacityReason(null, { Code: 'VALIDATION_ERROR', Message: 'The security group sg-1 does not exist' })).toBeNull();
    expect(capacityReason({ Error: 'Emr.ValidationException', Cause: `InsufficientInstanceCapacity: ${insufficient}` }, null)).not.toBeNull();
    expect(capacityReason({ Error: 'Emr.ValidationException', Cause: 'The subnet ID does not exist' }, null)).toBeNull();
  });

  it('retries in the next zone after a capacity failure, with the attempt recorded', () => {
    const result = judgeAttempt(input({ clusterStatus: ended('INSTANCE_FAILURE', 'Insufficient capacity for r5.4xlarge') }));
    expect(result).toEqual({
      list: [{ zone: 'us-east-1b', subnetIds: ['subnet-b'], clusterId: 'j-FIRST', outcome: 'capacity', reason: 'INSTANCE_FAILURE: Insufficient capacity for r5.4xlarge', seconds: 300 }],
      index: 1,
      retry: true,
      error: null,
    });
  });

  it('gives up with the error it met when the failure is not capacity', () => {
    const result = judgeAttempt(input({ clusterStatus: ended('BOOTSTRAP_FAILURE', 'bootstrap action 1 returned a non-zero return code') }));
    expect(result.retry).toBe(false);
    expect(result.list[0]?.outcome).toBe('failed');
    expect(result.error).toMatchObject({ Error: 'ClusterCreationFailed' });
  });

  it('gives up when no zone is left, or when another attempt would not fit in the time budget', () => {
    const last = judgeAttempt(input({ attempts: { list: [], index: 1 }, attempt: { placement: placements[1]!, startedAt: at(100) }, clusterStatus: ended('INSTANCE_FAILURE', 'Insufficient capacity') }));
    expect(last).toMatchObject({ retry: false, error: { Error: 'NoZoneWithCapacity' } });
    expect(last.error?.Cause).toContain('no fitting zone left');
    const late = judgeAttempt(input({ now: at(2101), clusterStatus: ended('INSTANCE_FAILURE', 'Insufficient capacity') }));
    expect(late).toMatchObject({ retry: false, error: { Error: 'NoZoneWithCapacity' } });
    expect(late.error?.Cause).toContain('us-east-1c not tried');
  });

  it('records a created replacement: a cluster that is up is no failure', () => {
    const result = judgeAttempt(input({ clusterStatus: { state: 'WAITING', status: { State: 'WAITING' } } }));
    expect(result).toMatchObject({ retry: false, error: null, list: [{ outcome: 'created', clusterId: 'j-FIRST', seconds: 300 }] });
  });
});
