import { drScenarioSchema, type DrScenarioSpec } from '../../sandbox/dr/scenario.ts';
import { sandboxEc2Client, sandboxElbv2Client, sandboxEmrClient } from '../../sandbox/dr/sdk-clients.ts';
import { CallLog, type Caller } from '../../sandbox/dr/service-error.ts';
import { buildDrWorld, buildLoadBalancing, ec2Call } from '../../sandbox/dr/world.ts';

/** The load balancer buildLoadBalancing puts in front of every target group. */
export const SANDBOX_NLB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/lifeguard-sandbox/0123456789abcdef';

/**
 * The DR sandbox's EMR, EC2 and ELBv2 as a scenario describes them at `t0`, read through the AWS
 * SDK clients the plan Lambda uses (as the planner). Nothing runs on its own: `at` moves the clock,
 * and `act` makes a call as another caller would (an earlier failover's state machine), so what the
 * planner asked stays apart in `calls`.
 */
export function drSandboxWorld(spec: DrScenarioSpec, t0: number) {
  const scenario = drScenarioSchema.parse(spec);
  let now = t0;
  const clock = () => now;
  const log = new CallLog(() => (now - t0) / 1000, scenario.faults);
  const { ec2, emr } = buildDrWorld(scenario, { t0, now: clock, log });
  const elbv2 = buildLoadBalancing(scenario, { t0, now: clock, log, ec2, serving: () => true });
  const options = { sleep: async () => undefined, park: (sleeping: Promise<void>) => sleeping };
  const answer = {
    emr: (action: string, input: Record<string, unknown>, caller: Caller) => emr.call(action, input, caller),
    ec2: (action: string, input: Record<string, unknown>, caller: Caller) => ec2Call(ec2, action, input, caller),
    elbv2: (action: string, input: Record<string, unknown>, caller: Caller) => elbv2.call(action, input, caller),
  };
  return {
    emr,
    clients: {
      emr: sandboxEmrClient((action, input) => answer.emr(action, input, 'planner'), options),
      ec2: sandboxEc2Client((action, input) => answer.ec2(action, input, 'planner'), options),
      elbv2: sandboxElbv2Client((action, input) => answer.elbv2(action, input, 'planner'), options),
    },
    at(ms: number) {
      now = ms;
    },
    act(service: keyof typeof answer, action: string, input: Record<string, unknown>) {
      return answer[service](action, input, 'stateMachine');
    },
    /** The inputs of the planner's calls of `action`, in order. */
    calls(action: string): unknown[] {
      return log.calls.filter((c) => c.caller === 'planner' && c.action === action).map((c) => c.input);
    },
  };
}

export type DrSandboxWorld = ReturnType<typeof drSandboxWorld>;
