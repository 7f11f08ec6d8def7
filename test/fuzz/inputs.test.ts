import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lib/config/load.ts';
import { InvalidEventError } from '../../lib/events/notice.ts';
import { parseEvent } from '../../lib/events/parse.ts';
import { handleInterruption } from '../../lib/interruption/handle.ts';
import type { KubeApi } from '../../lib/kube/port.ts';
import { silentLog } from '../../lib/observability/log.ts';
import { ScenarioError, parseScenario } from '../../sandbox/scenario/load.ts';
import { VirtualClock } from '../../sandbox/clock/virtual-clock.ts';

/**
 * Thousands of malformed, truncated, oversized, wrongly typed and adversarial inputs — events,
 * continuations, scenario files, configuration. Every one is either accepted or refused with an
 * error naming the field; never an unhandled exception, and a refused event never reaches
 * Kubernetes or AWS. Fixed seed, bounded runs: the same inputs every time.
 */
const SEED = 20261201;
const runs = (numRuns: number) => ({ seed: SEED, numRuns });
/** How many inputs each property tried: printed at the end of the suite. */
const tried: Record<string, number> = {};
afterAll(() => console.log(`fuzzed inputs tried (seed ${SEED}): ${Object.entries(tried).map(([k, v]) => `${k} ${v}`).join(', ')}`));

const fixtures = readdirSync('test/fixtures/events')
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join('test/fixtures/events', f), 'utf8')) as Record<string, unknown>);

/** Strings that break naive code: selectors, JSON-patch paths, unicode, huge. */
const nasty = fc.oneof(
  fc.constantFrom('', ' ', 'a/b', '~0~1', '../../etc', 'spark-role=executor,x!=y', '"; DROP', '\u0000', '\u202e', '🛰️', 'ı', 'i-0aaa1111bbbb2222', 'i-0AAA1111BBBB22220', 'Wed, 31 Feb 2026 08:00:00 GMT', '2026-13-01T00:00:00Z'),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ minLength: 5000, maxLength: 20000 }),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nasty, { maxLength: 3 }), fc.dictionary(nasty, nasty, { maxKeys: 3 }), fc.array(fc.constant('i-0aaa1111bbbb22220'), { minLength: 2000, maxLength: 3000 }));

/** A valid event with one field (at any depth) removed, or replaced by something wrong. */
const edits = (max: number) => fc.array(fc.tuple(fc.nat(), fc.boolean(), anyValue), { minLength: 1, maxLength: max });
const mutatedEvent = fc.tuple(fc.constantFrom(...fixtures), edits(3)).map(([fixture, changes]) => mutate(fixture, changes));

/** `doc` with each edit applied at one of its fields (any depth): removed, or replaced by `value`. */
function mutate(doc: Record<string, unknown>, changes: ReadonlyArray<[number, boolean, unknown]>): Record<string, unknown> {
  const copy = structuredClone(doc);
  for (const [pick, remove, value] of changes) {
    const paths = leafPaths(copy);
    const path = paths[pick % Math.max(1, paths.length)];
    if (!path) break;
    const parent = path.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy);
    if (remove) delete parent[path.at(-1)!];
    else parent[path.at(-1)!] = value;
  }
  return copy;
}

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Object.entries(value as Record<string, unknown>);
  const here = prefix.length ? [prefix] : [];
  return [...here, ...entries.flatMap(([k, v]) => leafPaths(v, [...prefix, k]))];
}

/** A Kubernetes API that records every call: a refused input must make none. */
function recordingKube(): { kube: KubeApi; calls: string[] } {
  const calls: string[] = [];
  const record = (name: string) => async () => {
    calls.push(name);
    return undefined as never;
  };
  return {
    calls,
    kube: { getNode: record('getNode'), listNodes: async () => (calls.push('listNodes'), []), patchNode: record('patchNode'), listPodsOnNode: async () => (calls.push('listPodsOnNode'), { items: [], resourceVersion: '1' }), watchPodsOnNode: async () => (calls.push('watchPodsOnNode'), { stop: () => {} }), streamPodsOnNode: async () => (calls.push('streamPodsOnNode'), undefined), evictPod: record('evictPod'), deletePod: record('deletePod'), createEvent: record('createEvent'), patchEvent: record('patchEvent') },
  };
}

const config = parseConfig({ eks: [{ name: 'spark-prod' }] });

describe('fuzzed inputs', () => {
  it('EventBridge events: a Notice or an InvalidEventError naming a field, nothing else', () => {
    let n = 0;
    fc.assert(
      fc.property(fc.oneof(mutatedEvent, anyValue), (event) => {
        n++;
        try {
          parseEvent(event);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidEventError);
          expect((err as InvalidEventError).message.length).toBeGreaterThan(0);
          if (typeof event === 'object' && event !== null && !Array.isArray(event)) expect((err as InvalidEventError).field ?? '(root)').toMatch(/\S/);
        }
      }),
      runs(3000),
    );
    tried.events = n;
  });

  it('a refused event or continuation never reaches Kubernetes, AWS or the scheduler', async () => {
    let n = 0;
    const continuation = fc.dictionary(fc.constantFrom('type', 'cluster', 'nodeName', 'instanceId', 'eventId', 'event', 'round', 'extra'), anyValue).map((c) => ({ 'lifeguard-continuation': c }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedEvent, continuation, anyValue), async (event) => {
        n++;
        let valid = true;
        try {
          parseEvent(event);
        } catch {
          valid = false;
        }
        if (valid) return; // a valid event is the scenario suites' business
        const { kube, calls } = recordingKube();
        const aws: string[] = [];
        const report = await handleInterruption(event, {
          config,
          clock: new VirtualClock(),
          log: silentLog,
          kube,
          nodes: { resolve: async () => (calls.push('resolve'), undefined) },
          clusterName: 'spark-prod',
          scheduler: { upsert: async () => void aws.push('upsert'), delete: async () => void aws.push('delete') },
          events: { publish: async () => void aws.push('publish') },
          lifecycle: { complete: async () => void aws.push('complete'), heartbeat: async () => void aws.push('heartbeat') },
        });
        expect(report.ignored).toBe(true);
        expect(report.reason).toMatch(/\S/);
        expect(calls).toEqual([]);
        expect(aws).toEqual([]);
      }),
      runs(1500),
    );
    tried.refusedEvents = n;
  });

  it('scenario files: a scenario or a ScenarioError listing paths, never anything else', () => {
    let n = 0;
    const base = { name: 'fuzz', cluster: { name: 'c', nodes: [{ name: 'n', instanceId: 'i-0aaa1111bbbb22220', zone: 'us-east-1a' }], pods: [{ name: 'p', node: 'n' }] }, events: [{ at: 1, terminateInstance: 'i-0aaa1111bbbb22220' }] };
    const mutated = edits(4).map((changes) => mutate(base, changes));
    fc.assert(
      fc.property(fc.oneof(mutated, anyValue), (doc) => {
        n++;
        try {
          parseScenario(doc);
        } catch (err) {
          expect(err).toBeInstanceOf(ScenarioError);
          expect((err as Error).message).toMatch(/invalid|scenario/i);
        }
      }),
      runs(1500),
    );
    tried.scenarios = n;
  });

  it('configuration: a configuration or a ConfigError naming each bad field, never anything else', () => {
    let n = 0;
    const keys = fc.constantFrom('region', 'eks', 'interruption', 'dr', 'network', 'eventSource', 'notifications', 'drain', 'policies', 'nodeGroups', 'matchLabels', 'leadMinutes', 'maxWaitSeconds', 'name', 'extra');
    const doc: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({ node: fc.oneof({ depthSize: 'small' }, anyValue, fc.dictionary(keys, tie('node'), { maxKeys: 4 }), fc.array(tie('node'), { maxLength: 3 })) })).node;
    fc.assert(
      fc.property(doc, (raw) => {
        n++;
        try {
          parseConfig(raw);
        } catch (err) {
          expect(err).toBeInstanceOf(ConfigError);
          expect((err as Error).message).toMatch(/: /);
        }
      }),
      runs(1500),
    );
    tried.configurations = n;
  });
});
