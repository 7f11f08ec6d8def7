import { z } from 'zod';
import type { NodeObject } from './objects.ts';
import { issuesInline } from '../../lib/util/zod-issues.ts';
import { badRequest, invalid } from './status.ts';

/** Checks on what clients send: DeleteOptions, Eviction bodies, and a Node after a patch. */

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

const deleteOptionsSchema = z
  .object({
    kind: z.literal('DeleteOptions').optional(),
    apiVersion: z.string().optional(),
    gracePeriodSeconds: z.number().int().nullish(),
    preconditions: z.object({ uid: z.string().nullish(), resourceVersion: z.string().nullish() }).nullish(),
    propagationPolicy: z.enum(['Orphan', 'Background', 'Foreground']).nullish(),
    orphanDependents: z.boolean().nullish(),
    dryRun: z.array(z.literal('All')).nullish(),
  })
  .loose();

export function parseDeleteOptions(raw: unknown, where: string): DeleteOptions {
  if (raw === undefined || raw === null) return {};
  const parsed = deleteOptionsSchema.safeParse(raw);
  if (!parsed.success) throw badRequest(`invalid ${where}: ${issuesInline(parsed.error, { value: raw, at: [where] })}`);
  const options: DeleteOptions = {};
  if (parsed.data.gracePeriodSeconds !== undefined && parsed.data.gracePeriodSeconds !== null) {
    options.gracePeriodSeconds = parsed.data.gracePeriodSeconds;
  }
  const pre = parsed.data.preconditions;
  if (pre) {
    options.preconditions = {};
    if (pre.uid) options.preconditions.uid = pre.uid;
    if (pre.resourceVersion) options.preconditions.resourceVersion = pre.resourceVersion;
  }
  if (parsed.data.dryRun) options.dryRun = parsed.data.dryRun;
  return options;
}

/** `gracePeriodSeconds` from the query string; the body, when it sets one, wins. */
export function gracePeriodFromQuery(query: URLSearchParams): number | undefined {
  const raw = query.get('gracePeriodSeconds');
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`invalid gracePeriodSeconds query parameter "${raw}": must be an integer`);
  return Number(raw);
}

const evictionSchema = z
  .object({
    kind: z.literal('Eviction').optional(),
    apiVersion: z.enum(['policy/v1', 'policy/v1beta1']).optional(),
    metadata: z.object({ name: z.string().optional(), namespace: z.string().optional() }).loose().optional(),
    deleteOptions: z.unknown().optional(),
  })
  .loose();

export function parseEviction(raw: unknown, namespace: string, name: string): DeleteOptions {
  if (raw === undefined) throw badRequest('an Eviction body is required');
  const parsed = evictionSchema.safeParse(raw);
  if (!parsed.success) throw badRequest(`not a valid Eviction object: ${issuesInline(parsed.error, { value: raw })}`);
  const meta = parsed.data.metadata ?? {};
  if (meta.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  return parseDeleteOptions(parsed.data.deleteOptions, 'deleteOptions');
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Node validation (the parts a patch can break), with the API server's field paths. */
export function validateNode(node: NodeObject): void {
  const problems: Array<{ field: string; message: string }> = [];
  const name = typeof node.metadata?.name === 'string' ? node.metadata.name : '';
  const stringMap = (value: unknown, field: string, checkValues: boolean) => {
    if (value === undefined || value === null) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ field, message: 'Invalid value: must be a map of strings' });
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (!LABEL_KEY.test(k) || k.length > 316) problems.push({ field: `${field}`, message: `Invalid value: "${k}": not a valid key` });
      if (typeof v !== 'string') problems.push({ field: `${field}.${k}`, message: 'Invalid value: must be a string' });
      else if (checkValues && (!LABEL_VALUE.test(v) || v.length > 63)) problems.push({ field: `${field}.${k}`, message: `Invalid value: "${v}": not a valid label value` });
    }
  };
  stringMap(node.metadata?.labels, 'metadata.labels', true);
  stringMap(node.metadata?.annotations, 'metadata.annotations', false);
  const spec = node.spec as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== 'object') {
    problems.push({ field: 'spec', message: 'Required value' });
  } else {
    if (spec.unschedulable !== undefined && spec.unschedulable !== null && typeof spec.unschedulable !== 'boolean') {
      problems.push({ field: 'spec.unschedulable', message: 'Invalid value: must be a boolean' });
    }
    if (spec.taints !== undefined && spec.taints !== null) {
      if (!Array.isArray(spec.taints)) {
        problems.push({ field: 'spec.taints', message: 'Invalid value: must be a list' });
      } else {
        const seen = new Set<string>();
        spec.taints.forEach((taint: unknown, i) => {
          const field = `spec.taints[${i}]`;
          if (!taint || typeof taint !== 'object') {
            problems.push({ field, message: 'Invalid value: must be an object' });
            return;
          }
          const t = taint as Record<string, unknown>;
          if (typeof t.key !== 'string' || !LABEL_KEY.test(t.key)) problems.push({ field: `${field}.key`, message: `Invalid value: ${JSON.stringify(t.key)}: not a valid taint key` });
          if (t.value !== undefined && (typeof t.value !== 'string' || !LABEL_VALUE.test(t.value))) {
            problems.push({ field: `${field}.value`, message: `Invalid value: ${JSON.stringify(t.value)}: not a valid taint value` });
          }
          if (typeof t.effect !== 'string' || !TAINT_EFFECTS.includes(t.effect)) {
            problems.push({ field: `${field}.effect`, message: `Unsupported value: ${JSON.stringify(t.effect)}: supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"` });
          }
          const identity = `${String(t.key)}:${String(t.effect)}`;
          if (seen.has(identity)) problems.push({ field, message: `Duplicate value: "${identity}": taints must be unique by key and effect pair` });
          seen.add(identity);
        });
      }
    }
    if (typeof spec.providerID !== 'string') problems.push({ field: 'spec.providerID', message: 'Required value' });
  }
  if (problems.length > 0) throw invalid('Node', name, problems);
}
