import type { Configuration } from '@aws-sdk/client-emr';

/** Reading an EMR cluster's Configurations (classification → properties, nested ones included). */

/** Every property of a classification, later (and nested) configurations overriding earlier ones. */
export function propertiesOf(configurations: readonly Configuration[], classification: string): Record<string, string> {
  const found: Record<string, string> = {};
  const visit = (list: readonly Configuration[]) => {
    for (const c of list) {
      if (c.Classification === classification) Object.assign(found, c.Properties ?? {});
      visit(c.Configurations ?? []);
    }
  };
  visit(configurations);
  return found;
}

/** Every property value with where it is set (`hive-site: hive.metastore.warehouse.dir`). */
export function everyProperty(configurations: readonly Configuration[]): Array<{ where: string; value: string }> {
  const out: Array<{ where: string; value: string }> = [];
  const visit = (list: readonly Configuration[]) => {
    for (const c of list) {
      for (const [key, value] of Object.entries(c.Properties ?? {})) out.push({ where: `${c.Classification ?? '?'}: ${key}`, value });
      visit(c.Configurations ?? []);
    }
  };
  visit(configurations);
  return out;
}
