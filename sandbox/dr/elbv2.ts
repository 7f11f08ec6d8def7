import { ServiceError, type CallLog } from './service-error.ts';

/**
 * NLB target groups with health-check timing: a registered target turns healthy after
 * `healthyThreshold` consecutive passing checks `intervalSeconds` apart, unhealthy after
 * `unhealthyThreshold` failing ones; a deregistered target drains, then disappears.
 */

export interface HealthCheckTiming {
  intervalSeconds: number;
  /** Checks run on the target group's own schedule: at scenario start + phase + k × interval. */
  phaseSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface SandboxTargetGroup {
  arn: string;
  port: number;
  healthCheck: HealthCheckTiming;
  deregistrationDelaySeconds: number;
}

interface Registration {
  ip: string;
  port: number;
  registeredAtMs: number;
  /** Registered before the scenario began: already past its initial checks. */
  initial: boolean;
  deregisteredAtMs?: number;
}

/** Whether the service behind an IP answers health checks at a given time. */
export type ServingProbe = (ip: string, atMs: number) => boolean;

export class InMemoryElbv2 {
  private readonly registrations = new Map<string, Registration[]>();

  constructor(
    readonly targetGroups: SandboxTargetGroup[],
    private readonly log: CallLog,
    private readonly now: () => number,
    private readonly serving: ServingProbe,
    /** Scenario start (epoch ms): the origin of every group's check schedule. */
    private readonly originMs: number,
  ) {
    for (const group of targetGroups) this.registrations.set(group.arn, []);
  }

  /** Scenario set-up: a target that was registered and healthy before time 0. */
  seed(arn: string, ip: string, atMs: number): void {
    const group = this.group(arn);
    this.registrations.get(arn)!.push({ ip, port: group.port, registeredAtMs: atMs, initial: true });
  }

  call(action: string, input: Record<string, unknown>): unknown {
    this.log.enter('elbv2', action, input);
    switch (action) {
      case 'DescribeTargetGroups':
        return this.describeTargetGroups(input);
      case 'RegisterTargets':
        return this.register(input);
      case 'DeregisterTargets':
        return this.deregister(input);
      case 'DescribeTargetHealth':
        return this.describeTargetHealth(input);
      default:
        throw new Error(`the sandbox ELBv2 does not implement ${action}`);
    }
  }

  /** Every target still attached (not yet drained away) with its health now. */
  targets(arn: string, now = this.now()): Array<{ ip: string; port: number; state: string }> {
    const group = this.group(arn);
    return this.live(arn, now).map((r) => ({ ip: r.ip, port: r.port, state: this.health(group, r, now) }));
  }

  private group(arn: string): SandboxTargetGroup {
    const group = this.targetGroups.find((g) => g.arn === arn);
    if (!group) this.log.fail(new ServiceError('TargetGroupNotFound', `One or more target groups not found: ${arn}`));
    return group;
  }

  private live(arn: string, now: number): Registration[] {
    const group = this.group(arn);
    return this.registrations
      .get(arn)!
      .filter((r) => r.deregisteredAtMs === undefined || now < r.deregisteredAtMs + group.deregistrationDelaySeconds * 1000);
  }

  private health(group: SandboxTargetGroup, reg: Registration, now: number): string {
    if (reg.deregisteredAtMs !== undefined) return 'draining';
    const { intervalSeconds, healthyThreshold, unhealthyThreshold, phaseSeconds } = group.healthCheck;
    const interval = intervalSeconds * 1000;
    const origin = this.originMs + phaseSeconds * 1000;
    // The first check of the group's schedule strictly after registration.
    const firstCheck = origin + (Math.floor((reg.registeredAtMs - origin) / interval) + 1) * interval;
    const checksDone = now < firstCheck ? 0 : Math.floor((now - firstCheck) / interval) + 1;
    const checkAt = (i: number) => firstCheck + i * interval;
    if (!reg.initial && checksDone < healthyThreshold) {
      const allPassing = Array.from({ length: checksDone }, (_, i) => this.serving(reg.ip, checkAt(i))).every(Boolean);
      return allPassing ? 'initial' : 'unhealthy';
    }
    const lastCheck = checkAt(checksDone - 1);
    const recent = (n: number) => Array.from({ length: n }, (_, i) => this.serving(reg.ip, lastCheck - i * interval));
    if (recent(healthyThreshold).every(Boolean)) return 'healthy';
    if (recent(unhealthyThreshold).every((ok) => !ok)) return 'unhealthy';
    // Mixed results: the target keeps the state it had one check earlier.
    return this.serving(reg.ip, lastCheck) ? 'unhealthy' : 'healthy';
  }

  private targetsOf(input: Record<string, unknown>): Array<{ ip: string; port: number }> {
    const group = this.group(String(input.TargetGroupArn));
    const targets = input.Targets;
    if (!Array.isArray(targets) || !targets.length) this.log.fail(new ServiceError('ValidationError', 'Targets must not be empty'));
    return targets.map((t: { Id?: unknown; Port?: unknown }) => {
      if (typeof t.Id !== 'string' || !/^\d+\.\d+\.\d+\.\d+$/.test(t.Id)) {
        this.log.fail(new ServiceError('InvalidTarget', `The IP address '${String(t.Id)}' is not a valid IPv4 address`));
      }
      return { ip: t.Id, port: typeof t.Port === 'number' ? t.Port : group.port };
    });
  }

  private describeTargetGroups(input: Record<string, unknown>) {
    const arns = (input.TargetGroupArns as string[] | undefined) ?? this.targetGroups.map((g) => g.arn);
    return {
      TargetGroups: arns.map((arn) => {
        const g = this.group(arn);
        return { TargetGroupArn: g.arn, Port: g.port, Protocol: 'TCP', TargetType: 'ip', HealthCheckIntervalSeconds: g.healthCheck.intervalSeconds };
      }),
    };
  }

  private register(input: Record<string, unknown>) {
    const arn = String(input.TargetGroupArn);
    const now = this.now();
    for (const target of this.targetsOf(input)) {
      const active = this.registrations.get(arn)!.find((r) => r.ip === target.ip && r.port === target.port && r.deregisteredAtMs === undefined);
      // Registering a registered target is a no-op, as in ELBv2.
      if (!active) this.registrations.get(arn)!.push({ ...target, registeredAtMs: now, initial: false });
    }
    return {};
  }

  private deregister(input: Record<string, unknown>) {
    const arn = String(input.TargetGroupArn);
    const now = this.now();
    for (const target of this.targetsOf(input)) {
      const active = this.registrations.get(arn)!.find((r) => r.ip === target.ip && r.port === target.port && r.deregisteredAtMs === undefined);
      if (!active) this.log.fail(new ServiceError('InvalidTarget', `The target ${target.ip}:${target.port} is not registered with ${arn}`));
      active.deregisteredAtMs = now;
    }
    return {};
  }

  private describeTargetHealth(input: Record<string, unknown>) {
    const arn = String(input.TargetGroupArn);
    const group = this.group(arn);
    const now = this.now();
    const live = this.live(arn, now);
    const wanted = input.Targets ? this.targetsOf(input) : live.map((r) => ({ ip: r.ip, port: r.port }));
    return {
      TargetHealthDescriptions: wanted.map((t) => {
        const reg = live.find((r) => r.ip === t.ip && r.port === t.port);
        return {
          Target: { Id: t.ip, Port: t.port },
          HealthCheckPort: String(t.port),
          TargetHealth: reg ? { State: this.health(group, reg, now) } : { State: 'unused', Reason: 'Target.NotRegistered' },
        };
      }),
    };
  }
}
