import type { V1Pod } from '@kubernetes/client-node';
import type { SparkConf } from './types.ts';

/**
 * Where an application's Spark configuration is visible, in increasing precedence:
 * 1. the driver pod's annotation `lifeguard.io/spark-conf` (properties text): a declaration for
 *    clusters where the audit may not read ConfigMaps, and for scenario files;
 * 2. the ConfigMap Spark mounts into the driver (volume `spark-conf-volume-driver`, key
 *    `spark.properties`): what spark-submit really used;
 * 3. `--conf key=value` in the driver container's arguments.
 */
export const SPARK_CONF_ANNOTATION = 'lifeguard.io/spark-conf';
export const DRIVER_CONF_VOLUME = 'spark-conf-volume-driver';
export const DRIVER_CONF_KEY = 'spark.properties';

/** Java properties text (as Spark writes spark.properties): `k=v`, `k: v` or `k v`, `\` escapes, comments. */
export function parseProperties(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = pending ? raw.trimStart() : raw;
    // An odd number of trailing backslashes continues the line.
    const trailing = /\\+$/.exec(line)?.[0].length ?? 0;
    if (trailing % 2 === 1) {
      pending += line.slice(0, -1);
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  if (pending) logical.push(pending);
  for (const line of logical) {
    const text = line.trimStart();
    if (!text || text.startsWith('#') || text.startsWith('!')) continue;
    let i = 0;
    let key = '';
    while (i < text.length && !/[=:\s]/.test(text[i]!)) {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      key += text[i];
      i++;
    }
    const rest = text.slice(i).replace(/^\s*[=:]?\s*/, '');
    values[key] = unescape(rest);
  }
  return values;
}

function unescape(value: string): string {
  return value.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c;
  });
}

/** `--conf k=v` and `--conf=k=v` pairs of a spark-submit style argument list. */
export function confFromArgs(args: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const pair = arg === '--conf' || arg === '-c' ? args[++i] : arg.startsWith('--conf=') ? arg.slice('--conf='.length) : undefined;
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0) values[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return values;
}

/** The ConfigMap Spark mounted into this driver, if any. */
export function driverConfigMapName(driver: V1Pod): string | undefined {
  const volume = (driver.spec?.volumes ?? []).find((v) => v.name === DRIVER_CONF_VOLUME && v.configMap?.name);
  return volume?.configMap?.name;
}

/** Merges what is visible for one driver; `configMapText` is the ConfigMap's spark.properties when it could be read. */
export function sparkConfOf(driver: V1Pod, configMapText?: string): SparkConf {
  const sources: string[] = [];
  const values: Record<string, string> = {};
  const annotation = driver.metadata?.annotations?.[SPARK_CONF_ANNOTATION];
  if (annotation !== undefined) {
    Object.assign(values, parseProperties(annotation));
    sources.push(`annotation ${SPARK_CONF_ANNOTATION}`);
  }
  if (configMapText !== undefined) {
    Object.assign(values, parseProperties(configMapText));
    sources.push(`configmap ${driver.metadata?.namespace ?? 'default'}/${driverConfigMapName(driver) ?? '?'}`);
  }
  const args = (driver.spec?.containers ?? []).flatMap((c) => [...(c.command ?? []), ...(c.args ?? [])]);
  const fromArgs = confFromArgs(args);
  if (Object.keys(fromArgs).length) {
    Object.assign(values, fromArgs);
    sources.push('driver arguments');
  }
  return sources.length ? { source: sources.join(' + '), values } : { values };
}
