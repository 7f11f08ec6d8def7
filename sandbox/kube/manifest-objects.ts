import { parseAllDocuments } from 'yaml';

/**
 * The objects of a YAML manifest (several documents, or a `kind: List`) that `parse` takes, in
 * order: `parse` answers undefined for an object that is not its business (another API group), and
 * throws for one that is but is invalid. Each object is named in errors by `source`, its document
 * and its place in a List.
 */
export function manifestObjects<T>(text: string, source: string, parse: (item: unknown, where: string) => T | undefined): T[] {
  const objects: T[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    const where = `${source}: document ${index + 1}`;
    if (document.errors.length > 0) throw new Error(`${where}: not valid YAML: ${document.errors[0]!.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    const items = isList(value) ? value.items.map((item, i) => ({ item, where: `${where}, items.${i}` })) : [{ item: value, where }];
    for (const { item, where: at } of items) {
      const parsed = parse(item, at);
      if (parsed !== undefined) objects.push(parsed);
    }
  });
  return objects;
}

function isList(value: unknown): value is { items: unknown[] } {
  const v = value as { kind?: unknown; items?: unknown };
  return typeof value === 'object' && value !== null && v.kind === 'List' && Array.isArray(v.items);
}
