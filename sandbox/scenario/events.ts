import { createHash } from 'node:crypto';

/**
 * Fills what a scenario author may leave out of an EventBridge event, as EventBridge would set it:
 * `version`, a deterministic `id`, `account`, `region`, `time` (the moment of delivery) and
 * `resources`. Whatever the author wrote is kept, so late or odd events can be rehearsed too.
 */
export function completeEvent(
  event: Record<string, unknown>,
  context: { index: number; seed: number; deliveredAt: number; region: string },
): Record<string, unknown> {
  const id = createHash('sha256').update(`${context.seed}:${context.index}`).digest('hex');
  return {
    version: '0',
    id: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
    account: '123456789012',
    region: context.region,
    time: new Date(context.deliveredAt).toISOString().replace('.000Z', 'Z'),
    resources: [],
    ...event,
  };
}
