import {
  CompleteLifecycleActionCommand,
  RecordLifecycleActionHeartbeatCommand,
  type AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import { LifecycleActionGoneError, type LifecycleActions, type LifecycleHookRef, type LifecycleResult } from './ports.ts';

/** LifecycleActions over the Auto Scaling API. */
export class AutoScalingLifecycleActions implements LifecycleActions {
  constructor(private readonly autoscaling: AutoScalingClient) {}

  async complete(hook: LifecycleHookRef, result: LifecycleResult): Promise<void> {
    await this.send('CompleteLifecycleAction', hook, () =>
      this.autoscaling.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: hook.autoScalingGroupName,
          LifecycleHookName: hook.lifecycleHookName,
          LifecycleActionToken: hook.lifecycleActionToken,
          InstanceId: hook.instanceId,
          LifecycleActionResult: result,
        }),
      ),
    );
  }

  async heartbeat(hook: LifecycleHookRef): Promise<void> {
    await this.send('RecordLifecycleActionHeartbeat', hook, () =>
      this.autoscaling.send(
        new RecordLifecycleActionHeartbeatCommand({
          AutoScalingGroupName: hook.autoScalingGroupName,
          LifecycleHookName: hook.lifecycleHookName,
          LifecycleActionToken: hook.lifecycleActionToken,
          InstanceId: hook.instanceId,
        }),
      ),
    );
  }

  private async send(operation: string, hook: LifecycleHookRef, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      const e = err as { name?: string; message?: string };
      // Auto Scaling answers a ValidationError once the action is no longer pending.
      if (e.name === 'ValidationError' && /no active lifecycle action/i.test(e.message ?? '')) {
        throw new LifecycleActionGoneError(
          `${operation}: no pending lifecycle action ${hook.lifecycleHookName} for ${hook.instanceId} in ${hook.autoScalingGroupName} (completed or timed out)`,
          { cause: err },
        );
      }
      throw err;
    }
  }
}
