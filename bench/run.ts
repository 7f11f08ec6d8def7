import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { benchApf } from './apf.ts';
import { benchBundle } from './bundle.ts';
import { benchDrain } from './drain.ts';
import { benchFailover } from './failover.ts';
import { PER_EVENT_DELIVERY, runMassInterruption, type MassOptions } from './mass.ts';
import { compareFigures, describeChange, renderPerformanceDoc, type BenchResult, type Figures } from './results.ts';

/**
 * `npm run bench` runs every bench, `npm run bench -- NAME...` only those. Each writes
 * bench/results/NAME.json (keeping the run before it for comparison) and prints its changes;
 * docs/performance.md is then regenerated from every result on disk. Asserts nothing.
 */

interface Bench {
  title: string;
  about: string;
  run: () => Promise<Figures>;
}

const MASS_SIZES = [50, 200, 1000];
const BURST_SIZES = [200, 500, 1000];
/** The mass scenario again with this share of requests answered 429 at random, on top of the limits. */
const THROTTLED_NODES = 200;
const THROTTLE_RATES = [0.3, 0.6];
const THROTTLED_FIGURES = ['cordonP99Ms', 'cordonMaxMs', 'neverCordoned', 'deadlineMisses', 'failedInvocations', 'executorsKilled', 'throttled429', 'apiRequestsPerNode', 'drainedP99Ms'];

const benches: Record<string, Bench> = {
  drain: {
    title: 'Single node vs the physical floor',
    about:
      'One Spot warning for a node with 110 pods (90 Spark executors that exit as soon as evicted, 16 other workloads, 4 DaemonSet pods), the real handler against the emulator at 1, 5 and 20 ms per API call, without API limits. Times count from the event. Ratios divide the measured time by the fewest sequential round trips the work needs: 3 to cordon (LIST nodes, GET, PATCH); 5 to drained (those, the read of its pods, one eviction round — executors and workloads go together —, the watch reporting the pods gone without a request), or 11 with evictions capped at the default drain concurrency (`drainRatioBounded`); `uncapped` rows lift the cap. Virtual clock, except the `realClock` rows (wall time on this machine, CPU and HTTP included). The client\'s own rate limit (`interruption.apiRateLimit`, 400/s with a burst of 40 per invocation, chosen for a pool reclaim: see the burst bench) lets the node\'s ~114 requests through no faster than `clientLimitFloorMs`; `drainRatioWithinLimit` divides the drain by the larger of that and the round trips at the default concurrency (11). Target: within 1.5× of that larger floor.',
    run: benchDrain,
  },
  mass: {
    title: 'Mass interruption under the default limits',
    about:
      'N Spot warnings spread evenly over one minute, N = 50, 200, 1000, 25 pods per node (20 executors needing 20 s to migrate, 4 ReplicaSet pods, 1 DaemonSet pod), run as a scenario (bench/mass.ts) under the sandbox\'s default limits: the notice queue and Lambda\'s event source mapping (batches, pollers, visibility), API Priority and Fairness as EKS runs it (one flow for the function\'s IAM role, 5 ms base latency), Lambda as a pool of execution environments (500 ms cold start, the account\'s 1,000 concurrent executions), EC2 DescribeInstances throttling; each environment runs the real handler with its own client, token bucket, keep-alive agent and node index; EC2 reclaims every instance at its deadline. Event-to-cordon is measured from the delivery to the moment the API server applies the cordon PATCH; drained, to the completion the drain records. Then N = 200 again with 30 % and 60 % of requests answered 429 (Retry-After 1 s) at random on top of the limits (`n200at30pct429`, `n200at60pct429`). Targets: P99 cordon < 2 s at N = 1000, no executor killed whose shutdown fits the window, requests per node ≤ pods + 5.',
    run: async () => {
      const figures: Figures = {};
      for (const nodes of MASS_SIZES) {
        const result = await runMassInterruption({ nodes });
        for (const [key, value] of Object.entries(result)) if (key !== 'nodes') figures[`n${nodes}.${key}`] = value;
      }
      for (const rate of THROTTLE_RATES) {
        const result = await runMassInterruption({ nodes: THROTTLED_NODES, throttleRate: rate });
        for (const key of THROTTLED_FIGURES) figures[`n${THROTTLED_NODES}at${rate * 100}pct429.${key}`] = result[key]!;
      }
      return figures;
    },
  },
  apf: {
    title: 'The cordon on the server: with and without Lifeguard\'s API Priority and Fairness objects',
    about:
      'A Spot pool reclaim whose warnings all arrive within 2 s, N = 150, 300 and 1000 interrupted nodes (7 pods each: 2 executors needing 5 s to migrate, 4 ReplicaSet pods, 1 DaemonSet pod) in a cluster of ~25,000 pods (bystander nodes of 100 pods each: every drain\'s pod stream makes the server scan them all), under the sandbox\'s default limits (bench/apf.ts), each warning its own invocation as before the notice queue (through the queue these sizes never fill Lifeguard\'s flow: no cordon PATCH waits, with or without the objects). `default`: kube-apiserver\'s own FlowSchemas and priority levels, where every Lifeguard request is one flow of global-default (49 seats). `lifeguard`: deploy/kubernetes-flowcontrol.yaml applied, node GETs, LISTs and PATCHes in lifeguard-cordon (22 seats), the rest in lifeguard-drain (44). Event-to-cordon counts from the delivery to the moment the server applies the cordon PATCH (cold start and node lookup included); `patchNodeQueueWait*` is the time node PATCHes (cordon, lease, outcome) waited in a queue of their priority level; `LEVEL.*` rows are each level\'s seats, longest queue wait and 429s. At N = 1000 the node lookups of one Lambda environment per warning (a node LIST each when EC2 throttles DescribeInstances) load the cordon\'s own level (`lifeguard-cordon.throttled429`), and the figures vary by a few percent between runs (the order in which sockets deliver matters at that load); at 150 and 300 they repeat exactly.',
    run: benchApf,
  },
  burst: {
    title: 'A Spot pool reclaimed: every warning within 2 s, and spread over a minute',
    about:
      'A Spark-on-EKS Spot pool (bench/spark-pool.ts: per node 18 executors needing 20 to 60 s to decommission with a grace of 115 s, drivers on On-Demand nodes, 4 replicas of PDB-paced Deployments (maxUnavailable 25 %), 2 Job pods, 1 DaemonSet pod) of N = 200, 500 and 1000 nodes, under the sandbox\'s default limits (API Priority and Fairness as EKS runs it, Lambda, EC2 throttling), every warning within 2 s as a pool reclaim delivers them (`nN`), and spread evenly over 60 s (`nNspread60`); and N = 1 (`n1`), a single warning. After: through the notice queue and its event source mapping with the default configuration (batches of up to 100, a 1 s window, no maximum concurrency, 400 requests/s and a burst of 40 per invocation); N = 200 within 2 s again with the mapping\'s maximum concurrency at 10 (`n200max10`). Before (`…perEvent`): EventBridge invoking the function once per event, as the stack did before the queue, with that version\'s client limit (100/s, burst 200). Event-to-cordon counts from the delivery (queue delay and cold start included) to the moment the server applies the cordon PATCH. `seatSecondsPerNode` is what the API server spent on each node (seats × seconds, API Priority and Fairness\'s currency), `podReadSeatSecondsPerNode` the part spent reading pods; `forcedDeletions` counts pods deleted past their budget to beat the deadline. Each run is a process of its own (bench/mass-child.ts): `simulatorWallSeconds`, `simulatorCpuSeconds` and `simulatorPeakRssMB` are what it cost this machine. Targets at N = 1000 within 2 s: cordon P99 < 2 s; 0 executors killed, forced deletions, deadline misses; DescribeInstances ≤ N / 50; node LISTs ≤ 5; 429s < 1 % of requests; simulated in under 120 s and 1.5 GB. A single warning\'s cordon within 1 s of before\'s.',
    run: () => {
      const figures: Figures = {};
      const runs: Array<[string, MassOptions]> = [];
      for (const [suffix, delivery] of [['', {}], ['perEvent', PER_EVENT_DELIVERY]] as const) {
        runs.push([`n1${suffix}`, { nodes: 1, pool: 'spark', ...delivery }]);
        for (const nodes of BURST_SIZES) {
          runs.push([`n${nodes}${suffix}`, { nodes, spreadSeconds: 2, pool: 'spark', ...delivery }]);
          runs.push([`n${nodes}spread60${suffix}`, { nodes, spreadSeconds: 60, pool: 'spark', ...delivery }]);
        }
      }
      runs.push(['n200max10', { nodes: 200, spreadSeconds: 2, pool: 'spark', config: { interruption: { queue: { maximumConcurrency: 10 } } } }]);
      for (const [name, options] of runs) {
        const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/mass-child.ts', JSON.stringify(options)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        const line = child.stdout.trim().split('\n').at(-1) ?? '';
        if (child.status !== 0 || !line.startsWith('{')) throw new Error(`burst run ${name} failed (exit ${child.status}): ${child.stderr.slice(-2000)}`);
        const result = JSON.parse(line) as Figures;
        console.log(`burst: ${name}: cordon P99 ${result.cordonP99Ms} ms, ${result.simulatorWallSeconds} s, ${result.simulatorPeakRssMB} MB`);
        for (const [key, value] of Object.entries(result)) figures[`${name}.${key}`] = value;
      }
      return Promise.resolve(figures);
    },
  },
  bundle: {
    title: 'Cold start: package size and import time',
    about:
      'Every function as `osls package` builds it: zip size, and the median over 7 fresh Node processes of the time to import the bundle, next to the same for an empty module. Targets: every zip under 1 MB; import under 2 × empty + 100 ms. Import times on a shared 2-core machine are noisy; compare runs made on a quiet machine. The interruption bundle is also built with a metafile to list its largest packages and any package bundled from two places. `part.*` rows bundle alone, with the same options, what the interruption function cannot do without (client-node\'s CoreV1Api, EventsV1Api, KubeConfig and Watch; the EC2 client it looks instances up with; zod): the floor under its import time.',
    run: () => benchBundle(),
  },
  failover: {
    title: 'DR orchestration overhead',
    about:
      'A simulated failover per EMR provisioning time: RTO minus what no orchestrator can avoid (provisioning, NLB health checks). The baseline is modelled from the documented `createCluster.sync` polling schedule (first check after 60 s, then every 300 s), not measured. Then the same zone outage (alarm after 3 breaching minutes, outage confirmed by 3 probes 10 s apart, 600 s of EMR provisioning, target groups checking every 10 s with 3 healthy checks, at three check phases) failed over cold (`cold.*`: a replacement created in another zone) and to a warm standby in another zone (`standby.*`), each phase\'s mean in seconds. `restoredAfterConfirmationSeconds` is confirmation to the new master healthy in every target group (create + register + healthy); the alarm\'s evaluation window (`alarm`) is reported apart. Target: a standby restores service within 90 s of confirmation; the cold path unchanged. `registration180.*` runs the same with the NLB taking 180 s to register a new target before checking it (ELB documents "a few minutes"): the time a real account adds on both paths, which no orchestration that registers a target at failover time can remove.',
    run: benchFailover,
  },
};

const RESULTS = 'bench/results';
const DOC = 'docs/performance.md';
const PREAMBLE = 'bench/performance-preamble.md';

const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in benches));
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
mkdirSync(RESULTS, { recursive: true });
const machine = { cores: cpus().length, cpu: cpus()[0]?.model.trim() ?? 'unknown', node: process.version };

for (const [name, bench] of Object.entries(benches)) {
  if (only.length && !only.includes(name)) continue;
  const file = join(RESULTS, `${name}.json`);
  const before = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResult) : undefined;
  const started = performance.now();
  const figures = await bench.run();
  const result: BenchResult = {
    bench: name,
    title: bench.title,
    about: bench.about,
    command: `npm run bench -- ${name}`,
    ranAt: new Date().toISOString(),
    machine,
    wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    figures,
    ...(before ? { previous: { ranAt: before.ranAt, figures: before.figures } } : {}),
  };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\n# ${name} (${result.wallSeconds} s)`);
  for (const change of compareFigures(before?.figures, figures)) {
    if (change.after === undefined) continue;
    console.log(`${change.key.padEnd(34)} ${String(change.after).padEnd(14)} ${before ? describeChange(change) : ''}`);
  }
}

const order = Object.keys(benches);
const results = readdirSync(RESULTS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(RESULTS, f), 'utf8')) as BenchResult)
  .filter((r) => order.includes(r.bench))
  .sort((a, b) => order.indexOf(a.bench) - order.indexOf(b.bench));
writeFileSync(DOC, renderPerformanceDoc(readFileSync(PREAMBLE, 'utf8'), results));
console.log(`\nwrote ${DOC}`);
