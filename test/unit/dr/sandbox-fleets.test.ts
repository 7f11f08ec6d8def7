import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';
import { runFailoverScenario } from '../../../sandbox/dr/runner.ts';
import { drScenarioSchema, type DrScenarioSpec } from '../../../sandbox/dr/scenario.ts';
import { CallLog } from '../../../sandbox/dr/service-error.ts';
import { buildDrWorld } from '../../../sandbox/dr/world.ts';
import { PROTECTED, refusal, threeZoneSpec } from '../../support/dr-sandbox-spec.ts';
import { iamRequests } from '../../support/iam/requests.ts';

/** Instance-fleet clusters in the DR sandbox's EMR: the scenario's, their standbys and RunJobFlow's. */

const T0 = Date.parse('2026-01-01T00:00:00Z');
const STANDBY_ID = 'j-STANDBY0001';
const standby = { id: STANDBY_ID, subnetId: 'subnet-0bbb2222', master: { ip: '10.0.2.20', instanceId: 'i-0bbb2222' } };
const down = { resourceManager: 'down', nameNode: 'down', livy: 'down' } as const;

type FleetsInput = NonNullable<NonNullable<DrScenarioSpec['clusters'][number]['made']>['instanceFleets']>;

/** A CORE fleet of two weighted types (6 On-Demand + 4 Spot units) and a Spot TASK fleet; the MASTER fleet left to the default. */
const FLEETS: FleetsInput = [
  { type: 'CORE', name: 'Core fleet', instanceTypes: [{ instanceType: 'r5.2xlarge', weightedCapacity: 2 }, { instanceType: 'r5.4xlarge', weightedCapacity: 4 }], onDemand: 6, spot: 4 },
  { type: 'TASK', instanceTypes: ['c5.2xlarge', 'c5a.2xlarge'], spot: 8 },
];

/** The protected cluster on FLEETS (its MASTER fleet from instanceTypes.master). */
const spec = (cluster: Record<string, unknown> = {}, overrides: Partial<DrScenarioSpec> = {}) => threeZoneSpec({ made: { instanceTypes: { master: 'm5.2xlarge', core: 'r5.2xlarge' }, instanceFleets: FLEETS }, ...cluster }, overrides);

function world(input: DrScenarioSpec) {
  const scenario = drScenarioSchema.parse(input);
  let now = T0;
  const log = new CallLog(() => (now - T0) / 1000);
  const { emr } = buildDrWorld(scenario, { t0: T0, now: () => now, log });
  const call = (action: string, input: Record<string, unknown>) => emr.call(action, input, 'stateMachine') as Record<string, unknown>;
  return {
    emr,
    log,
    at: (seconds: number) => {
      now = T0 + seconds * 1000;
    },
    call,
    fleets: (clusterId: string) => (call('ListInstanceFleets', { ClusterId: clusterId }).InstanceFleets as Array<Record<string, unknown>>),
    /** type, target and provisioned On-Demand and Spot, state */
    capacities: (clusterId: string) =>
      (call('ListInstanceFleets', { ClusterId: clusterId }).InstanceFleets as Array<Record<string, unknown>>).map((f) => [
        f.InstanceFleetType,
        f.TargetOnDemandCapacity,
        f.TargetSpotCapacity,
        f.ProvisionedOnDemandCapacity,
        f.ProvisionedSpotCapacity,
        (f.Status as { State: string }).State,
      ]),
  };
}

const issues = (input: DrScenarioSpec) => drScenarioSchema.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message]);
const withFleets = (instanceFleets: unknown[]) => spec({ made: { instanceFleets } });
const core = { type: 'CORE', instanceTypes: ['r5.2xlarge'], onDemand: 2 };

describe('scenario clusters[].made.instanceFleets', () => {
  it('takes instance types by name (weight 1) or with a weight, capacities defaulting to 0, and adds a MASTER fleet of instanceTypes.master', () => {
    const made = drScenarioSchema.parse(spec()).clusters[0]!.made;
    expect(made.instanceFleets).toEqual([
      { type: 'MASTER', instanceTypes: [{ instanceType: 'm5.2xlarge', weightedCapacity: 1 }], onDemand: 1, spot: 0 },
      { type: 'CORE', name: 'Core fleet', instanceTypes: [{ instanceType: 'r5.2xlarge', weightedCapacity: 2 }, { instanceType: 'r5.4xlarge', weightedCapacity: 4 }], onDemand: 6, spot: 4 },
      { type: 'TASK', instanceTypes: [{ instanceType: 'c5.2xlarge', weightedCapacity: 1 }, { instanceType: 'c5a.2xlarge', weightedCapacity: 1 }], onDemand: 0, spot: 8 },
    ]);
    expect(drScenarioSchema.parse(spec({ made: {} })).clusters[0]!.made.instanceFleets).toBeUndefined();
  });

  it('keeps a MASTER fleet given (a Spot one), first', () => {
    const master = { type: 'MASTER', name: 'Primary', instanceTypes: ['m5.xlarge', 'm5a.xlarge'], spot: 1 };
    expect(drScenarioSchema.parse(withFleets([core, master])).clusters[0]!.made.instanceFleets!.map((f) => [f.type, f.onDemand, f.spot])).toEqual([
      ['MASTER', 0, 1],
      ['CORE', 2, 0],
    ]);
  });

  it('needs exactly one CORE fleet', () => {
    expect(issues(withFleets([{ ...core, type: 'TASK' }]))).toEqual([['clusters.0.made.instanceFleets', 'exactly one CORE fleet, not 0']]);
    expect(issues(withFleets([core, core]))).toEqual([['clusters.0.made.instanceFleets', 'exactly one CORE fleet, not 2']]);
  });

  it('takes at most one TASK and one MASTER fleet', () => {
    const task = { ...core, type: 'TASK' };
    expect(issues(withFleets([core, task, task]))).toEqual([['clusters.0.made.instanceFleets', 'at most one TASK fleet, not 2']]);
    const master = { type: 'MASTER', instanceTypes: ['m5.xlarge'], onDemand: 1 };
    expect(issues(withFleets([master, core, master]))).toEqual([['clusters.0.made.instanceFleets', 'at most one MASTER fleet, not 2']]);
  });

  it("gives a MASTER fleet exactly one instance and the CORE fleet at least one unit", () => {
    expect(issues(withFleets([{ type: 'MASTER', instanceTypes: ['m5.xlarge'], onDemand: 1, spot: 1 }, core]))).toEqual([
      ['clusters.0.made.instanceFleets.0.onDemand', 'a MASTER fleet has one instance: onDemand + spot must be 1, not 2'],
    ]);
    expect(issues(withFleets([{ type: 'MASTER', instanceTypes: ['m5.xlarge'] }, core]))![0]![1]).toBe('a MASTER fleet has one instance: onDemand + spot must be 1, not 0');
    expect(issues(withFleets([{ ...core, onDemand: 0 }]))).toEqual([['clusters.0.made.instanceFleets.0.onDemand', 'the CORE fleet needs capacity: onDemand + spot must be 1 or more']]);
  });

  it('refuses a fleet without instance types, a weight below 1, a negative or fractional capacity, and unknown fields', () => {
    expect(issues(withFleets([{ ...core, instanceTypes: [] }]))).toEqual([['clusters.0.made.instanceFleets.0.instanceTypes', 'at least one instance type']]);
    expect(issues(withFleets([{ ...core, instanceTypes: [{ instanceType: 'r5.2xlarge', weightedCapacity: 0 }] }]))!.map(([path]) => path)).toEqual(['clusters.0.made.instanceFleets.0.instanceTypes.0.weightedCapacity']);
    expect(issues(withFleets([{ ...core, spot: -1 }]))!.map(([path]) => path)).toEqual(['clusters.0.made.instanceFleets.0.spot']);
    expect(issues(withFleets([{ ...core, onDemand: 1.5 }]))!.map(([path]) => path)).toEqual(['clusters.0.made.instanceFleets.0.onDemand']);
    expect(issues(withFleets([{ ...core, market: 'SPOT' }]))!.map(([path]) => path)).toEqual(['clusters.0.made.instanceFleets.0']);
  });
});

describe('a scenario instance-fleet cluster', () => {
  it('is described as INSTANCE_FLEET (an instance-group cluster as INSTANCE_GROUP)', () => {
    const describe = (w: ReturnType<typeof world>, id: string) => (w.call('DescribeCluster', { ClusterId: id }).Cluster as Record<string, unknown>).InstanceCollectionType;
    expect(describe(world(spec()), PROTECTED)).toBe('INSTANCE_FLEET');
    expect(describe(world(spec({ made: {} })), PROTECTED)).toBe('INSTANCE_GROUP');
  });

  it('lists its fleets as EMR does, provisioned to their targets', () => {
    const w = world(spec());
    expect(w.fleets(PROTECTED)).toEqual([
      {
        Id: 'if-OLDCLUSTER1M',
        Name: 'Primary',
        Status: { State: 'RUNNING' },
        InstanceFleetType: 'MASTER',
        TargetOnDemandCapacity: 1,
        TargetSpotCapacity: 0,
        ProvisionedOnDemandCapacity: 1,
        ProvisionedSpotCapacity: 0,
        InstanceTypeSpecifications: [{ InstanceType: 'm5.2xlarge', WeightedCapacity: 1 }],
      },
      {
        Id: 'if-OLDCLUSTER1C',
        Name: 'Core fleet',
        Status: { State: 'RUNNING' },
        InstanceFleetType: 'CORE',
        TargetOnDemandCapacity: 6,
        TargetSpotCapacity: 4,
        ProvisionedOnDemandCapacity: 6,
        ProvisionedSpotCapacity: 4,
        InstanceTypeSpecifications: [
          { InstanceType: 'r5.2xlarge', WeightedCapacity: 2 },
          { InstanceType: 'r5.4xlarge', WeightedCapacity: 4 },
        ],
      },
      {
        Id: 'if-OLDCLUSTER1T',
        Name: 'Task',
        Status: { State: 'RUNNING' },
        InstanceFleetType: 'TASK',
        TargetOnDemandCapacity: 0,
        TargetSpotCapacity: 8,
        ProvisionedOnDemandCapacity: 0,
        ProvisionedSpotCapacity: 8,
        InstanceTypeSpecifications: [
          { InstanceType: 'c5.2xlarge', WeightedCapacity: 1 },
          { InstanceType: 'c5a.2xlarge', WeightedCapacity: 1 },
        ],
      },
    ]);
    for (const f of w.fleets(PROTECTED)) expect(f.Id).toMatch(/^if-[A-Z0-9]+$/);
  });

  it('gives every cluster its own fleet ids', () => {
    const w = world(spec({ standby }));
    const ids = [...w.fleets(PROTECTED), ...w.fleets(STANDBY_ID)].map((f) => f.Id);
    expect(new Set(ids).size).toBe(6);
  });

  it('is refused ListInstanceGroups as EMR refuses it; an instance-group cluster lists no fleets', () => {
    const w = world(spec());
    expect(refusal(() => w.call('ListInstanceGroups', { ClusterId: PROTECTED }))).toEqual({
      name: 'InvalidRequestException',
      message:
        'Instance fleets and instance groups are mutually exclusive. The EMR cluster specified in the request uses instance fleets. The ListInstanceGroups operation does not support clusters that use instance fleets. Use the ListInstanceFleets operation instead.',
    });
    expect(w.log.calls.at(-1)).toMatchObject({ action: 'ListInstanceGroups', error: 'InvalidRequestException' });
    expect(world(spec({ made: {} })).fleets(PROTECTED)).toEqual([]);
  });

  it('gives its master to ListInstances by fleet type', () => {
    const w = world(spec());
    const listed = w.call('ListInstances', { ClusterId: PROTECTED, InstanceFleetType: 'MASTER', InstanceStates: ['RUNNING'] }).Instances as Array<Record<string, unknown>>;
    expect(listed.map((i) => i.PrivateIpAddress)).toEqual(['10.0.1.10']);
  });

  it("has fleets that are TERMINATED once the cluster ends", () => {
    const w = world(spec({ failsAt: 100 }));
    w.at(100);
    expect(w.capacities(PROTECTED).map((f) => [f[0], f[3], f[4], f[5]])).toEqual([
      ['MASTER', 0, 0, 'TERMINATED'],
      ['CORE', 0, 0, 'TERMINATED'],
      ['TASK', 0, 0, 'TERMINATED'],
    ]);
  });
});

describe("a fleet source's standby", () => {
  it("has the source's fleets (names, instance types, weights), its CORE and TASK at standby.instanceCounts On-Demand", () => {
    const w = world(spec({ standby: { ...standby, instanceCounts: { core: 2, task: 1 } } }));
    expect((w.call('DescribeCluster', { ClusterId: STANDBY_ID }).Cluster as Record<string, unknown>).InstanceCollectionType).toBe('INSTANCE_FLEET');
    const source = w.fleets(PROTECTED);
    const fleets = w.fleets(STANDBY_ID);
    expect(fleets.map((f) => [f.InstanceFleetType, f.Name, f.InstanceTypeSpecifications])).toEqual(source.map((f) => [f.InstanceFleetType, f.Name, f.InstanceTypeSpecifications]));
    expect(w.capacities(STANDBY_ID)).toEqual([
      ['MASTER', 1, 0, 1, 0, 'RUNNING'],
      ['CORE', 2, 0, 2, 0, 'RUNNING'],
      ['TASK', 1, 0, 1, 0, 'RUNNING'],
    ]);
  });

  it('has no TASK fleet when the source has none, and a 0-unit one when the standby asks no task capacity', () => {
    expect(world(spec({ made: { instanceFleets: [core] }, standby })).capacities(STANDBY_ID).map((f) => f[0])).toEqual(['MASTER', 'CORE']);
    expect(world(spec({ standby })).capacities(STANDBY_ID).slice(1)).toEqual([
      ['CORE', 1, 0, 1, 0, 'RUNNING'],
      ['TASK', 0, 0, 0, 0, 'RUNNING'],
    ]);
  });
});

describe('ModifyInstanceFleet', () => {
  const CORE_FLEET = `if-${STANDBY_ID.slice(2)}C`;
  const TASK_FLEET = `if-${STANDBY_ID.slice(2)}T`;

  it("sets the targets at once; the provisioned capacity reaches them the standby's resizeSeconds later; a shrink at once", () => {
    const w = world(spec({ standby: { ...standby, resizeSeconds: 120 } }));
    w.at(10);
    expect(w.call('ModifyInstanceFleet', { ClusterId: STANDBY_ID, InstanceFleet: { InstanceFleetId: CORE_FLEET, TargetOnDemandCapacity: 6, TargetSpotCapacity: 4 } })).toEqual({});
    w.call('ModifyInstanceFleet', { ClusterId: STANDBY_ID, InstanceFleet: { InstanceFleetId: TASK_FLEET, TargetOnDemandCapacity: 8 } });
    expect(w.capacities(STANDBY_ID).slice(1)).toEqual([
      ['CORE', 6, 4, 1, 0, 'RESIZING'],
      ['TASK', 8, 0, 0, 0, 'RESIZING'],
    ]);
    w.at(129.9);
    expect(w.capacities(STANDBY_ID)[1]).toEqual(['CORE', 6, 4, 1, 0, 'RESIZING']);
    w.at(130);
    expect(w.capacities(STANDBY_ID).slice(1)).toEqual([
      ['CORE', 6, 4, 6, 4, 'RUNNING'],
      ['TASK', 8, 0, 8, 0, 'RUNNING'],
    ]);
    // A capacity left out keeps its target; the Spot shrink takes effect at once.
    w.call('ModifyInstanceFleet', { ClusterId: STANDBY_ID, InstanceFleet: { InstanceFleetId: CORE_FLEET, TargetSpotCapacity: 0 } });
    expect(w.capacities(STANDBY_ID)[1]).toEqual(['CORE', 6, 0, 6, 0, 'RUNNING']);
  });

  it('resizes a cluster that is not a standby in emr.resizeSeconds', () => {
    const w = world(spec({}, { emr: { resizeSeconds: 60 } }));
    w.call('ModifyInstanceFleet', { ClusterId: PROTECTED, InstanceFleet: { InstanceFleetId: 'if-OLDCLUSTER1C', TargetOnDemandCapacity: 10 } });
    w.at(59);
    expect(w.capacities(PROTECTED)[1]).toEqual(['CORE', 10, 4, 6, 4, 'RESIZING']);
    w.at(60);
    expect(w.capacities(PROTECTED)[1]).toEqual(['CORE', 10, 4, 10, 4, 'RUNNING']);
  });

  it('refuses another cluster\'s fleet, the MASTER fleet, a capacity that is not a whole number of units and a cluster that is not running or waiting, changing nothing and recording the refusal', () => {
    const w = world(spec({ standby: { ...standby, failsAt: 100 } }));
    const modify = (InstanceFleet: Record<string, unknown>) => () => w.call('ModifyInstanceFleet', { ClusterId: STANDBY_ID, InstanceFleet });
    expect(refusal(modify({ InstanceFleetId: 'if-OLDCLUSTER1C', TargetOnDemandCapacity: 4 }))).toEqual({ name: 'ValidationException', message: 'Instance fleet if-OLDCLUSTER1C does not exist in this cluster' });
    expect(refusal(modify({ InstanceFleetId: `if-${STANDBY_ID.slice(2)}M`, TargetOnDemandCapacity: 2 }))).toEqual({
      name: 'ValidationException',
      message: `Instance fleet if-${STANDBY_ID.slice(2)}M is the MASTER instance fleet, whose capacity cannot be modified`,
    });
    expect(refusal(modify({ InstanceFleetId: CORE_FLEET, TargetOnDemandCapacity: 4, TargetSpotCapacity: -1 }))).toEqual({
      name: 'ValidationException',
      message: `TargetSpotCapacity of instance fleet ${CORE_FLEET} must be a whole number of units, 0 or more`,
    });
    expect(refusal(modify({ InstanceFleetId: CORE_FLEET, TargetOnDemandCapacity: 2.5 })).message).toBe(`TargetOnDemandCapacity of instance fleet ${CORE_FLEET} must be a whole number of units, 0 or more`);
    expect(w.capacities(STANDBY_ID)[1]).toEqual(['CORE', 1, 0, 1, 0, 'RUNNING']);
    w.at(100);
    expect(refusal(modify({ InstanceFleetId: CORE_FLEET, TargetOnDemandCapacity: 4 }))).toEqual({
      name: 'ValidationException',
      message: 'An instance fleet may only be modified when the cluster is running or waiting (it is TERMINATED_WITH_ERRORS)',
    });
    expect(w.log.calls.filter((c) => c.action === 'ModifyInstanceFleet').map((c) => c.error)).toEqual(Array(5).fill('ValidationException'));
  });

  it('finds no fleet on an instance-group cluster', () => {
    const w = world(spec({ made: {} }));
    expect(refusal(() => w.call('ModifyInstanceFleet', { ClusterId: PROTECTED, InstanceFleet: { InstanceFleetId: 'if-OLDCLUSTER1C', TargetOnDemandCapacity: 4 } })).message).toBe(
      'Instance fleet if-OLDCLUSTER1C does not exist in this cluster',
    );
  });

  it('is authorized on the cluster, with its tags, in the IAM simulation', () => {
    const requestWorld = { partition: 'aws', region: 'us-east-1', account: '123456789012', instanceProfileRole: (p: string) => p };
    for (const operation of ['ListInstanceFleets', 'ModifyInstanceFleet']) {
      const requests = iamRequests(
        {
          caller: { stateMachine: 'failover' },
          service: 'elasticmapreduce',
          operation,
          input: { ClusterId: STANDBY_ID, InstanceFleet: { InstanceFleetId: CORE_FLEET, TargetOnDemandCapacity: 6 } },
          resourceTags: { [STANDBY_ID]: { 'lifeguard:standby': 'analytics' } },
        },
        requestWorld,
      );
      expect(requests).toEqual([
        {
          action: `elasticmapreduce:${operation}`,
          resource: `arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/${STANDBY_ID}`,
          context: { 'aws:ResourceTag/lifeguard:standby': 'analytics', 'elasticmapreduce:ResourceTag/lifeguard:standby': 'analytics' },
        },
      ]);
    }
  });
});

describe('RunJobFlow with InstanceFleets', () => {
  const request = (instanceFleets: unknown[]) => ({ Name: 'analytics-dr', Instances: { Ec2SubnetIds: ['subnet-0bbb2222', 'subnet-0ccc3333'], InstanceFleets: instanceFleets } });
  const FLEET_REQUEST = [
    { InstanceFleetType: 'MASTER', TargetOnDemandCapacity: 1, InstanceTypeConfigs: [{ InstanceType: 'm5.xlarge' }] },
    { InstanceFleetType: 'CORE', Name: 'Core', TargetOnDemandCapacity: 4, TargetSpotCapacity: 2, InstanceTypeConfigs: [{ InstanceType: 'r5.2xlarge', WeightedCapacity: 2 }] },
  ];

  it('creates a fleet cluster of the fleets asked for, provisioning with the cluster', () => {
    const w = world(spec({ made: {} }));
    const id = String(w.call('RunJobFlow', request(FLEET_REQUEST)).JobFlowId);
    expect((w.call('DescribeCluster', { ClusterId: id }).Cluster as Record<string, unknown>).InstanceCollectionType).toBe('INSTANCE_FLEET');
    expect(w.capacities(id)).toEqual([
      ['MASTER', 1, 0, 0, 0, 'PROVISIONING'],
      ['CORE', 4, 2, 0, 0, 'PROVISIONING'],
    ]);
    w.at(60);
    expect(w.capacities(id).map((f) => f[5])).toEqual(['BOOTSTRAPPING', 'BOOTSTRAPPING']);
    w.at(600);
    expect(w.capacities(id)).toEqual([
      ['MASTER', 1, 0, 1, 0, 'RUNNING'],
      ['CORE', 4, 2, 4, 2, 'RUNNING'],
    ]);
    expect(w.fleets(id)[1]).toMatchObject({ Id: expect.stringMatching(/^if-[A-Z0-9]+$/), Name: 'Core', InstanceTypeSpecifications: [{ InstanceType: 'r5.2xlarge', WeightedCapacity: 2 }] });
    expect(w.emr.clusters.get(id)!.instanceGroups).toEqual([]);
  });

  it('refuses fleets EMR would not create, and creates no cluster', () => {
    const w = world(spec({ made: {} }));
    const [master, coreFleet] = FLEET_REQUEST;
    const refused = (fleets: unknown[]) => refusal(() => w.call('RunJobFlow', request(fleets)));
    expect(refused([coreFleet])).toEqual({ name: 'ValidationException', message: 'InstanceFleets needs exactly one MASTER instance fleet, with a target capacity of 1 (On-Demand or Spot)' });
    expect(refused([{ ...master, TargetSpotCapacity: 1 }, coreFleet]).message).toBe('InstanceFleets needs exactly one MASTER instance fleet, with a target capacity of 1 (On-Demand or Spot)');
    expect(refused([master, coreFleet, coreFleet]).message).toBe('InstanceFleets may have one CORE instance fleet, not 2');
    expect(refused([master, { ...coreFleet, InstanceFleetType: 'GPU' }]).message).toBe("Invalid InstanceFleetType 'GPU': MASTER, CORE or TASK");
    expect(refused([master, { ...coreFleet, InstanceTypeConfigs: [] }]).message).toBe('The CORE instance fleet needs at least one InstanceTypeConfigs entry');
    expect(refused([master, { ...coreFleet, InstanceTypeConfigs: [{ InstanceType: 'r5.2xlarge', WeightedCapacity: 0 }] }]).message).toBe(
      'Each InstanceTypeConfigs entry of the CORE instance fleet needs an InstanceType and a WeightedCapacity of 1 or more',
    );
    expect(refused([master, { ...coreFleet, TargetSpotCapacity: -2 }]).message).toBe('TargetOnDemandCapacity and TargetSpotCapacity of the CORE instance fleet must be whole numbers, 0 or more');
    expect(
      refusal(() => w.call('RunJobFlow', { Name: 'x', Instances: { Ec2SubnetId: 'subnet-0bbb2222', InstanceFleets: FLEET_REQUEST, InstanceGroups: [{ InstanceRole: 'MASTER', InstanceType: 'm5.xlarge', InstanceCount: 1 }] } })).message,
    ).toBe('Instances takes InstanceGroups or InstanceFleets, not both');
    expect([...w.emr.clusters.keys()]).toEqual([PROTECTED]);
  });
});

describe('a failover run of a fleet cluster with a standby', () => {
  it("reports each cluster's fleets (and no groups) in the result", async () => {
    const result = await runFailoverScenario(spec({ health: [{ at: 5, ...down }], standby }), { clock: new VirtualClock() });
    expect(result.clusters[STANDBY_ID]).toMatchObject({
      standbyOf: 'analytics',
      instanceGroups: [],
      instanceFleets: [
        { type: 'MASTER', targetOnDemand: 1, targetSpot: 0, provisionedOnDemand: 1, provisionedSpot: 0 },
        // The failover took the standby and raised its fleets to the source's targets.
        { type: 'CORE', targetOnDemand: 6, targetSpot: 4 },
        { type: 'TASK', targetOnDemand: 0, targetSpot: 8 },
      ],
    });
    expect(result.clusters[PROTECTED]!.instanceFleets.map((f) => [f.type, f.targetOnDemand, f.targetSpot])).toEqual([
      ['MASTER', 1, 0],
      ['CORE', 6, 4],
      ['TASK', 0, 8],
    ]);
  });

  it('reports no fleets for an instance-group cluster', async () => {
    const result = await runFailoverScenario(spec({ made: {}, health: [{ at: 5, ...down }] }), { clock: new VirtualClock() });
    expect(result.clusters[PROTECTED]!.instanceFleets).toEqual([]);
    expect(result.clusters[PROTECTED]!.instanceGroups.map((g) => g.type)).toEqual(['MASTER', 'CORE']);
  });
});
