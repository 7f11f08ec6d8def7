import { describe, expect, it } from 'vitest';
import { InMemoryLockTable } from '../../sandbox/dr/lock-table.ts';
import { CallLog } from '../../sandbox/dr/service-error.ts';
import { failoverDefinition, LOCAL_FAILOVER_REFS } from '../../statemachines/failover.ts';
import { run, scenario } from './fixtures.ts';

/**
 * DynamoDB's own retryable error codes (DynamoDB developer guide, "Error handling with DynamoDB":
 * ProvisionedThroughputExceededException, RequestLimitExceeded, ThrottlingException, and
 * InternalServerError for HTTP 500), then the spellings Step Functions may report them under
 * besides: with the Exception suffix its SDK integrations add, and the SDK's catch-all name.
 */
const DOCUMENTED_CODES = ['ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'ThrottlingException', 'InternalServerError'];
const OTHER_SPELLINGS = ['RequestLimitExceededException', 'InternalServerErrorException', 'AmazonDynamoDBException'];

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

  // The sandbox reports a lock table error as `DynamoDB.<code>`, the code as the fault names it.
  for (const action of ['PutItem', 'DeleteItem'] as const) {
    it.each([...DOCUMENTED_CODES, ...OTHER_SPELLINGS])(`retries ${action} when DynamoDB answers %s, and the execution goes on`, async (code) => {
      const result = await run(scenario({ faults: [{ service: 'dynamodb', action, times: 1, error: code }] }));
      const [execution] = result.executions;
      expect(execution?.outcome).toBe('Healthy');
      const calls = result.calls.filter((c) => c.service === 'dynamodb' && c.action === action);
      expect(calls.map((c) => c.error ?? 'ok')).toEqual([code, 'ok']);
      const state = action === 'PutItem' ? 'AcquireLock' : 'ReleaseLockHealthy';
      expect(execution?.states.filter((s) => s.state === state && s.event === 'retried')).toHaveLength(1);
    });
  }
});
