/**
 * The fault and input classes Lifeguard is tested against, and which tests cover each one.
 * docs/reliability.md is written from this list and the outcome of those tests in the last full
 * run (test/reporters/reliability.ts): a class whose tests did not all pass says so.
 */
export interface ReliabilityClass {
  area: 'interruption' | 'disaster recovery' | 'inputs';
  fault: string;
  /** Test files (relative) and a pattern their test names must match. */
  tests: Array<{ file: string; name: RegExp }>;
}

export const RELIABILITY_CLASSES: ReliabilityClass[] = [
  { area: 'interruption', fault: 'the same event delivered several times at once', tests: [{ file: 'test/integration/node-lifecycle.test.ts', name: /3 times within one second/ }] },
  { area: 'interruption', fault: 'transient Kubernetes API faults (429, 5xx, dropped connections) during a drain', tests: [{ file: 'test/integration/node-lifecycle.test.ts', name: /30 % API fault rate/ }, { file: 'test/unit/drain/drain.test.ts', name: /transient|first list that fails/ }, { file: 'test/integration/spot-drain.test.ts', name: /API faults/ }] },
  { area: 'interruption', fault: 'a throttled API server around the drain: the node lookup, reads and writes answered 429 or 5xx', tests: [{ file: 'test/unit/interruption/handle.test.ts', name: /rides out|keeps failing until the deadline/ }, { file: 'test/unit/kube/retry-transient.test.ts', name: /./ }] },
  { area: 'interruption', fault: 'a mass Spot reclaim under the API server\'s and Lambda\'s limits (API Priority and Fairness 429s, reserved concurrency, scaling rate, event age, EC2 throttling)', tests: [{ file: 'test/integration/mass-limits.test.ts', name: /./ }] },
  { area: 'interruption', fault: 'a permanent Kubernetes API error (403)', tests: [{ file: 'test/unit/drain/drain.test.ts', name: /permanent API error/ }, { file: 'test/integration/node-lifecycle.test.ts', name: /keeps failing is retried twice|keeps failing comes back/ }] },
  { area: 'interruption', fault: 'one notice of a batch failing (only it comes back, after its own retry delay; the others stand), a notice that keeps failing (dead-lettered), the same notice twice in one batch', tests: [{ file: 'test/unit/interruption/batch.test.ts', name: /failure only|same notice twice|more urgent notice/ }, { file: 'test/unit/interruption/notice-batch.test.ts', name: /./ }, { file: 'test/integration/node-lifecycle.test.ts', name: /keeps failing comes back/ }] },
  { area: 'interruption', fault: 'hundreds of warnings within seconds (a Spot pool reclaim) handled in batches: every node cordoned before any drain, one cordon the server keeps refusing, drains that outlive the invocation', tests: [{ file: 'test/unit/interruption/batch.test.ts', name: /cordons every node|does not hold every drain|hands each node over/ }] },
  { area: 'interruption', fault: 'an invocation that fails: Lambda retries, the retry resumes under a new lease', tests: [{ file: 'test/unit/interruption/handle.test.ts', name: /retry after a failed attempt resumes/ }] },
  { area: 'interruption', fault: 'a drain longer than the Lambda timeout', tests: [{ file: 'test/integration/node-lifecycle.test.ts', name: /25 minutes to leave|handed over once/ }, { file: 'test/unit/drain/drain.test.ts', name: /hands over at stopAt/ }] },
  { area: 'interruption', fault: 'a more urgent notice while another invocation holds the node', tests: [{ file: 'test/unit/interruption/next-step.test.ts', name: /more urgent notice takes a held node over/ }, { file: 'test/unit/drain/drain.test.ts', name: /lease is lost/ }] },
  { area: 'interruption', fault: 'a PodDisruptionBudget that allows no eviction before the deadline', tests: [{ file: 'test/integration/kube-events.test.ts', name: /refused eviction retried many times/ }, { file: 'test/unit/drain/evict.test.ts', name: /force-deletes at deadline/ }] },
  { area: 'interruption', fault: 'a pool reclaim whose PodDisruptionBudget moves a Deployment in waves that need most of the window, beside executors slow to decommission', tests: [{ file: 'test/integration/pdb-paced-drain.test.ts', name: /./ }, { file: 'test/unit/drain/drain.test.ts', name: /moves in waves/ }] },
  { area: 'interruption', fault: 'a Health change announced days ahead, moved, or cancelled', tests: [{ file: 'test/integration/node-lifecycle.test.ts', name: /3 days ahead|moves the drain|closed \(cancelled\)/ }] },
  { area: 'interruption', fault: 'a node that is slow to come back after maintenance', tests: [{ file: 'test/integration/node-lifecycle.test.ts', name: /not back yet at the window end/ }, { file: 'test/unit/interruption/next-step.test.ts', name: /give up after returnTimeoutHours/ }] },
  { area: 'interruption', fault: 'a rebalance recommendation with no interruption after it; an admin-cordoned node', tests: [{ file: 'test/integration/node-lifecycle.test.ts', name: /reverted at the TTL|admin had cordoned/ }] },
  { area: 'interruption', fault: 'a late or redelivered older event after a newer one', tests: [{ file: 'test/unit/interruption/next-step.test.ts', name: /late redelivery/ }] },
  { area: 'interruption', fault: "a corrupt or hand-edited lifecycle record on the node", tests: [{ file: 'test/unit/lifecycle/state.test.ts', name: /record it cannot trust/ }] },
  { area: 'inputs', fault: 'malformed, truncated, oversized, wrongly typed and adversarial EventBridge events', tests: [{ file: 'test/fuzz/inputs.test.ts', name: /EventBridge events|refused event/ }, { file: 'test/integration/malformed-events.test.ts', name: /./ }] },
  { area: 'inputs', fault: "malformed continuations (a schedule's payload)", tests: [{ file: 'test/unit/interruption/handle.test.ts', name: /malformed continuation/ }, { file: 'test/fuzz/inputs.test.ts', name: /refused event or continuation/ }] },
  { area: 'inputs', fault: 'quotes, backslashes and line breaks in the event fields notifications are written from', tests: [{ file: 'test/unit/deploy/notifications.test.ts', name: /free text/ }, { file: 'test/unit/deploy/input-transformer.test.ts', name: /./ }] },
  { area: 'inputs', fault: "multi-byte text against the Kubernetes API server's byte limits on Event fields", tests: [{ file: 'test/unit/kube/event-recorder.test.ts', name: /./ }] },
  { area: 'inputs', fault: 'malformed scenario files', tests: [{ file: 'test/fuzz/inputs.test.ts', name: /scenario files/ }] },
  { area: 'inputs', fault: 'a malformed DR scenario file given to `drill --sandbox`', tests: [{ file: 'test/unit/cli/drill.test.ts', name: /validates the scenario file/ }] },
  { area: 'inputs', fault: 'malformed configuration', tests: [{ file: 'test/fuzz/inputs.test.ts', name: /configuration/ }, { file: 'test/unit/interruption/policy.test.ts', name: /config rejects/ }] },
  { area: 'disaster recovery', fault: 'throttling of the planner and state-machine calls', tests: [{ file: 'test/statemachine/real-account.test.ts', name: /thrott/i }, { file: 'test/statemachine/lock.test.ts', name: /retries (PutItem|DeleteItem)/ }] },
  { area: 'disaster recovery', fault: 'concurrent triggers for one cluster', tests: [{ file: 'test/statemachine/example-scenario.test.ts', name: /duplicate trigger/ }, { file: 'test/statemachine/lock.test.ts', name: /./ }] },
  { area: 'disaster recovery', fault: 'an old cluster already terminated; a later outage of the replacement', tests: [{ file: 'test/statemachine/real-account.test.ts', name: /already terminated|outage of the replacement|later real outage/i }] },
];
