import { ServiceError, type CallLog, type Caller } from './service-error.ts';

export type AttributeValue = { S?: string; N?: string };
type Item = Record<string, AttributeValue>;

/**
 * The failover lock table. Evaluates exactly the two condition expressions the state machine uses;
 * any other expression is a sandbox error, so a change to the definition cannot pass unnoticed.
 * Besides the locks it holds what the probe last saw running (`seen#<cluster>`, put without a
 * condition), which the state machine reads with GetItem.
 */
export const ACQUIRE_CONDITION = 'attribute_not_exists(lockKey) OR expiresAt < :now OR holder = :me';
export const RELEASE_CONDITION = 'holder = :me';

export class InMemoryLockTable {
  readonly items = new Map<string, Item>();

  constructor(private readonly log: CallLog) {}

  call(action: 'PutItem' | 'DeleteItem' | 'GetItem', input: Record<string, unknown>, caller: Caller = 'stateMachine'): unknown {
    this.log.enter('dynamodb', action, input, caller);
    const values = (input.ExpressionAttributeValues ?? {}) as Item;
    if (action === 'GetItem') {
      const item = this.items.get((input.Key as Item).lockKey?.S ?? '');
      return item ? { Item: structuredClone(item) } : {};
    }
    if (action === 'PutItem') {
      const item = input.Item as Item;
      const key = item.lockKey?.S;
      if (!key) throw new ServiceError('ValidationException', 'Item.lockKey (S) is required');
      if (input.ConditionExpression === undefined && key.startsWith('seen#')) {
        this.items.set(key, structuredClone(item));
        return {};
      }
      if (input.ConditionExpression !== ACQUIRE_CONDITION) throw new Error(`unsupported ConditionExpression ${String(input.ConditionExpression)}`);
      const current = this.items.get(key);
      const expired = current && Number(current.expiresAt?.N) < Number(values[':now']?.N);
      const ours = current && current.holder?.S === values[':me']?.S;
      if (current && !expired && !ours) this.log.fail(new ServiceError('ConditionalCheckFailedException', 'The conditional request failed'));
      this.items.set(key, structuredClone(item));
      return {};
    }
    const key = (input.Key as Item).lockKey?.S ?? '';
    if (input.ConditionExpression !== RELEASE_CONDITION) throw new Error(`unsupported ConditionExpression ${String(input.ConditionExpression)}`);
    const current = this.items.get(key);
    if (!current || current.holder?.S !== values[':me']?.S) {
      this.log.fail(new ServiceError('ConditionalCheckFailedException', 'The conditional request failed'));
    }
    this.items.delete(key);
    return {};
  }
}
