import { describe, expect, it } from 'vitest';
import { InMemoryLockTable } from '../../sandbox/dr/lock-table.ts';
import { CallLog } from '../../sandbox/dr/service-error.ts';
import { failoverDefinition, LOCAL_FAILOVER_REFS } from '../../statemachines/failover.ts';

/** The AcquireLock request as Step Functions would send it for this execution. */
function acquireRequest(holder: string, now: number): Record<string, unknown> {
  const params = failoverDefinition(LOCAL_FAILOVER_REFS).States.AcquireLock!.Parameters as Record<string, unknown>;
  return {
    TableName: params.TableName,
    ConditionExpression: params.ConditionExpression,
    Item: { lockKey: { S: 'emr#analytics' }, holder: { S: holder }, clusterName: { S: 'analytics' }, expiresAt: { N: String(now + 7200) } },
    ExpressionAttributeValues: { ':now': { N: String(now) }, ':me': { S: holder } },
  };
}

describe('the failover lock', () => {
  it('lets its holder take it again: a retried PutItem whose first attempt landed must not lock the cluster out for the TTL', () => {
    const table = new InMemoryLockTable(new CallLog(() => 0));
    table.call('PutItem', acquireRequest('arn:exec:one', 1000));
    expect(() => table.call('PutItem', acquireRequest('arn:exec:one', 1000))).not.toThrow();
  });

  it('refuses another execution while the lock is live, and lets it take over an expired one', () => {
    const table = new InMemoryLockTable(new CallLog(() => 0));
    table.call('PutItem', acquireRequest('arn:exec:one', 1000));
    expect(() => table.call('PutItem', acquireRequest('arn:exec:two', 1001))).toThrow(/ConditionalCheckFailed|conditional request failed/);
    expect(() => table.call('PutItem', acquireRequest('arn:exec:two', 1000 + 7201))).not.toThrow();
    expect(table.items.get('emr#analytics')?.holder?.S).toBe('arn:exec:two');
  });

  it('sends every value its condition names', () => {
    const params = failoverDefinition(LOCAL_FAILOVER_REFS).States.AcquireLock!.Parameters as {
      ConditionExpression: string;
      ExpressionAttributeValues: Record<string, unknown>;
    };
    const named = params.ConditionExpression.match(/:\w+/g) ?? [];
    for (const name of named) expect(params.ExpressionAttributeValues, name).toHaveProperty([name]);
  });
});
