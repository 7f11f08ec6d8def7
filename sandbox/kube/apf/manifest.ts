import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { manifestObjects } from '../manifest-objects.ts';
import { parseSpec } from '../specs.ts';
import { AUTO_UPDATE_ANNOTATION, DEFAULT_FLOW_CONTROL_OBJECTS, MANDATORY_FLOW_SCHEMAS, MANDATORY_PRIORITY_LEVELS } from './defaults.ts';
import { FLOWCONTROL_GROUP, FLOWCONTROL_KINDS, type FlowControlObject } from './objects.ts';

/** The API Priority and Fairness objects Lifeguard ships: optional, a cluster administrator applies them. */
export const LIFEGUARD_FLOW_CONTROL_MANIFEST = fileURLToPath(new URL('../../../deploy/kubernetes-flowcontrol.yaml', import.meta.url));

/**
 * The FlowSchemas and PriorityLevelConfigurations of a YAML manifest (several documents, or a
 * `kind: List`), each defaulted and validated; objects of other API groups (the RBAC manifest's
 * roles, a Namespace) are passed over. `source` names the manifest in errors.
 */
export function parseFlowControlManifest(text: string, source: string): FlowControlObject[] {
  return manifestObjects(text, source, parseFlowControlObject);
}

/** Lifeguard's shipped manifest, read and parsed once. */
let shipped: FlowControlObject[] | undefined;
export function lifeguardFlowControlObjects(): FlowControlObject[] {
  if (!shipped) {
    let text: string;
    try {
      text = readFileSync(LIFEGUARD_FLOW_CONTROL_MANIFEST, 'utf8');
    } catch (error) {
      throw new Error(`flow-control manifest ${LIFEGUARD_FLOW_CONTROL_MANIFEST} cannot be read: ${(error as Error).message}`);
    }
    shipped = parseFlowControlManifest(text, LIFEGUARD_FLOW_CONTROL_MANIFEST);
  }
  return shipped;
}

function parseFlowControlObject(item: unknown, where: string): FlowControlObject | undefined {
  const { apiVersion, kind, metadata } = (item ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${FLOWCONTROL_GROUP}/`)) return undefined;
  if (apiVersion !== `${FLOWCONTROL_GROUP}/v1`) throw new Error(`${where}: apiVersion: ${apiVersion} is not modelled; write ${FLOWCONTROL_GROUP}/v1 (served since Kubernetes 1.29)`);
  if (typeof kind !== 'string' || !(kind in FLOWCONTROL_KINDS)) {
    throw new Error(`${where}: kind: expected one of ${Object.keys(FLOWCONTROL_KINDS).join(', ')} in ${FLOWCONTROL_GROUP} (got ${JSON.stringify(kind)})`);
  }
  const what = `${where} (${kind} ${typeof metadata?.name === 'string' ? metadata.name : 'without a name'})`;
  return parseSpec(FLOWCONTROL_KINDS[kind as keyof typeof FLOWCONTROL_KINDS], item, what) as FlowControlObject;
}

const MANDATORY = new Set([...MANDATORY_PRIORITY_LEVELS, ...MANDATORY_FLOW_SCHEMAS].map(key));

function key(object: FlowControlObject): string {
  return `${object.kind} ${object.metadata.name}`;
}

/**
 * The objects the API server works from once `applied` is applied over its own configuration: an
 * applied object adds to the defaults or replaces a suggested one of the same name. kube-apiserver
 * restores a mandatory object whatever is applied, and a suggested one unless its
 * `apf.kubernetes.io/autoupdate-spec` annotation is "false": either would silently undo the
 * manifest, so both are refused here.
 */
export function withDefaults(applied: readonly FlowControlObject[]): FlowControlObject[] {
  const byKey = new Map(DEFAULT_FLOW_CONTROL_OBJECTS.map((o) => [key(o), o] as const));
  const seen = new Set<string>();
  for (const object of applied) {
    const k = key(object);
    if (seen.has(k)) throw new Error(`flow control: ${k} is defined twice (the second would silently replace the first)`);
    seen.add(k);
    if (MANDATORY.has(k)) throw new Error(`flow control: ${k} is mandatory: kube-apiserver keeps its spec fixed; leave it out of the manifest`);
    if (byKey.has(k) && object.metadata.annotations?.[AUTO_UPDATE_ANNOTATION] !== 'false') {
      throw new Error(`flow control: ${k} is one of kube-apiserver's suggested objects, which it restores unless annotated ${AUTO_UPDATE_ANNOTATION}: "false"; add that annotation or pick another name`);
    }
    byKey.set(k, object);
  }
  return [...byKey.values()];
}
