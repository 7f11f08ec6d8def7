import { ServiceError, type CallLog, type Caller } from './service-error.ts';

/**
 * One NLB and its target groups, with health-check timing: a registered target turns healthy after
 * `healthyThreshold` consecutive passing checks `intervalSeconds` apart, unhealthy after
 * `unhealthyThreshold` failing ones; a deregistered target drains, then disappears. Checks are per
 * target group port (the 8088 group checks the ResourceManager, not Livy), and a target in a zone
 * the NLB has not enabled stays `unused` (Target.NotInUse). A new target is checked only once its
 * registration completes (`registrationSeconds` after RegisterTargets): until then it is `initial`.
 */

export interface HealthCheckTiming {
  intervalSeconds: number;
  /** Checks run on the target group's own schedule: at scenario start + phase + k × interval. */
  phaseSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** The port the check probes (`traffic-port`: the target's own). */
  port?: 'traffic-port' | number | undefined;
}

export interface SandboxTargetGroup {
  arn: string;
  port: number;
  healthCheck: HealthCheckTiming;
  deregistrationDelaySeconds: number;
  /** From RegisterTargets until the group's checks reach the new target (NLB's registration process). */
  registrationSeconds?: number;
}

interface Registration {
  ip: string;
  port: number;
  registeredAtMs: number;
  /** Registered before the scenario began: already past its initial checks. */
  initial: boolean;
  deregisteredAtMs?: number;
}

/** Whether the service behind an IP answers health checks on a port at a given time. */
export type ServingProbe = (ip: string, port: number, atMs: number) => boolean;

export interface SandboxLoadBalancer {
  arn: string;
  /** The Availability Zones the NLB has enabled. */
  zones: string[];
  /** The zone of a target's IP (its subnet's), or undefined for an address outside every subnet. */
  zoneOf: (ip: string) => string | undefined;
}

/** One target's state in a group at one instant. */
export interface TargetState {
  ip: string;
  port: number;
  state: string;
}

export class InMemoryElbv2 {
  private readonly registrations = new Map<string, Registration[]>();

  constructor(
    readonly targetGroups: SandboxTargetGroup[],
    private readonly log: CallLog,
    private readonly now: () => number,
    private readonly serving: ServingProbe,
    /** Scenario start (epoch ms): the origin of every group's check schedule. */
    private readonly originMs: number,
    readonly loadBalancer: SandboxLoadBalancer,
  ) {
    for (const group of targetGroups) this.registrations.set(group.arn, []);
  }

  /** Scenario set-up: a target that was registered and healthy before time 0. */
  seed(arn: string, ip: string, atMs: number): void {
    const group = this.group(arn);
    this.registrations.get(arn)!.push({ ip, port: group.port, registeredAtMs: atMs, initial: true });
  }

  call(action: string, input: Record<string, unknown>, caller?: Caller): unknown {
    this.log.enter('elbv2', action, input, caller);
    switch (action) {
      case 'DescribeTargetGroups':
        return this.describeTargetGroups(input);
      case 'RegisterTargets':
        return this.register(input);
      case 'DeregisterTargets':
        return this.deregister(input);
      case 'DescribeTargetHealth':
        return this.describeTargetHealth(input);
      case 'DescribeLoadBalancers':
        return this.describeLoadBalancers(input);
      default:
        throw new Error(`the sandbox ELBv2 does not implement ${action}`);
    }
  }

  /** Every target still attached (not yet drained away) with its health now. */
  targets(arn: string, now = this.now()): TargetState[] {
    const group = this.group(arn);
    return this.live(arn, now).map((r) => ({ ip: r.ip, port: r.port, state: this.health(group, r, now) }));
  }

  /**
   * The group's targets over [fromMs, toMs], one entry per change. States change only at a health
   * check, a (de)registration or the end of a drain, so sampling those instants is exact.
   */
  history(arn: string, fromMs: number, toMs: number, seconds: (ms: number) => number): Array<{ t: number; targets: TargetState[] }> {
    const group = this.group(arn);
    const interval = group.healthCheck.intervalSeconds * 1000;
    const origin = this.originMs + group.healthCheck.phaseSeconds * 1000;
    const instants = new Set<number>([fromMs]);
    for (let at = origin; at <= toMs; at += interval) if (at >= fromMs) instants.add(at);
    for (const r of this.registrations.get(arn)!) {
      instants.add(r.registeredAtMs);
      if (r.deregisteredAtMs !== undefined) {
        instants.add(r.deregisteredAtMs);
        instants.add(r.deregisteredAtMs + group.deregistrationDelaySeconds * 1000);
      }
    }
    const changes: Array<{ t: number; targets: TargetState[] }> = [];
    let last = '';
    for (const at of [...instants].filter((t) => t >= fromMs && t <= toMs).sort((a, b) => a - b)) {
      const targets = this.targets(arn, at);
      const key = JSON.stringify(targets);
      if (key !== last) changes.push({ t: seconds(at), targets });
      last = key;
    }
    return changes;
  }

  /** When the last deregistered target finishes draining (epoch ms), or undefined when none drains. */
  drainedBy(): number | undefined {
    const ends = this.targetGroups.flatMap((g) =>
      this.registrations.get(g.arn)!.flatMap((r) => (r.deregisteredAtMs === undefined ? [] : [r.deregisteredAtMs + g.deregistrationDelaySeconds * 1000])),
    );
    return ends.length ? Math.max(...ends) : undefined;
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
      .filter((r) => r.registeredAtMs <= now && (r.deregisteredAtMs === undefined || now < r.deregisteredAtMs + group.deregistrationDelaySeconds * 1000));
  }

  private health(group: SandboxTargetGroup, reg: Registration, now: number): string {
    // Time-aware throughout: history() asks about earlier instants.
    if (reg.deregisteredAtMs !== undefined && now >= reg.deregisteredAtMs) return 'draining';
    if (!this.servesZoneOf(reg.ip)) return 'unused';
    const { intervalSeconds, healthyThreshold, unhealthyThreshold, phaseSeconds } = group.healthCheck;
    const interval = intervalSeconds * 1000;
    const origin = this.originMs + phaseSeconds * 1000;
    // The first check of the group's schedule strictly after the registration process completes.
    const checkedFrom = reg.registeredAtMs + (reg.initial ? 0 : (group.registrationSeconds ?? 0) * 1000);
    const firstCheck = origin + (Math.floor((checkedFrom - origin) / interval) + 1) * interval;
    const checksDone = now < firstCheck ? 0 : Math.floor((now - firstCheck) / interval) + 1;
    const checkAt = (i: number) => firstCheck + i * interval;
    if (!reg.initial && checksDone < healthyThreshold) {
      const allPassing = Array.from({ length: checksDone }, (_, i) => this.serving(reg.ip, reg.port, checkAt(i))).every(Boolean);
      return allPassing ? 'initial' : 'unhealthy';
    }
    const lastCheck = checkAt(checksDone - 1);
    const recent = (n: number) => Array.from({ length: n }, (_, i) => this.serving(reg.ip, reg.port, lastCheck - i * interval));
    if (recent(healthyThreshold).every(Boolean)) return 'healthy';
    if (recent(unhealthyThreshold).every((ok) => !ok)) return 'unhealthy';
    // Mixed results: the target keeps the state it had one check earlier.
    return this.serving(reg.ip, reg.port, lastCheck) ? 'unhealthy' : 'healthy';
  }

  private servesZoneOf(ip: string): boolean {
    const zone = this.loadBalancer.zoneOf(ip);
    return zone !== undefined && this.loadBalancer.zones.includes(zone);
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
        return {
          TargetGroupArn: g.arn,
          Port: g.port,
          Protocol: 'TCP',
          TargetType: 'ip',
          HealthCheckIntervalSeconds: g.healthCheck.intervalSeconds,
          HealthCheckProtocol: 'TCP',
          HealthCheckPort: String(g.healthCheck.port ?? 'traffic-port'),
          LoadBalancerArns: [this.loadBalancer.arn],
        };
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

  private describeLoadBalancers(input: Record<string, unknown>) {
    const arns = (input.LoadBalancerArns as string[] | undefined) ?? [this.loadBalancer.arn];
    const unknown = arns.filter((arn) => arn !== this.loadBalancer.arn);
    if (unknown.length) this.log.fail(new ServiceError('LoadBalancerNotFound', `One or more load balancers not found: ${unknown.join(', ')}`));
    return {
      LoadBalancers: [
        {
          LoadBalancerArn: this.loadBalancer.arn,
          Type: 'network',
          Scheme: 'internal',
          State: { Code: 'active' },
          AvailabilityZones: this.loadBalancer.zones.map((ZoneName) => ({ ZoneName })),
        },
      ],
    };
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
          TargetHealth: reg ? this.describedHealth(group, reg, now) : { State: 'unused', Reason: 'Target.NotRegistered' },
        };
      }),
    };
  }

  private describedHealth(group: SandboxTargetGroup, reg: Registration, now: number) {
    const state = this.health(group, reg, now);
    if (state === 'unused') return { State: state, Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer in this zone' };
    return { State: state };
  }
}
