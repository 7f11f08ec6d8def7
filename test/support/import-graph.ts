import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The value imports among the TypeScript files under `dirs` (relative to `root`): file → the files
 * it imports whose code runs when it loads. Type-only imports and exports (`import type`, or every
 * name marked `type`) are left out — the compiler erases them, so they order no module loading —
 * and so are dynamic `import()`s, which run after every module has loaded.
 */
export function valueImports(root: string, dirs: readonly string[], options: { types?: boolean } = {}): Map<string, string[]> {
  const files = dirs.flatMap((dir) => tsFiles(join(root, dir))).map((f) => relative(root, f));
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest);
      const targets = source.statements.flatMap((s) => (options.types ? anySpecifier(s) : valueSpecifier(s)) ?? []).map((spec) => relative(root, resolve(root, dirname(file), spec)));
      return [file, [...new Set(targets.filter((t) => known.has(t)))]];
    }),
  );
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The relative module a statement loads at run time, if it does. */
function valueSpecifier(statement: ts.Statement): string | undefined {
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (clause?.isTypeOnly) return undefined;
    const bindings = clause?.namedBindings;
    const onlyTypes = clause !== undefined && !clause.name && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
    return onlyTypes ? undefined : relativeSpecifier(statement.moduleSpecifier);
  }
  if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
    if (statement.isTypeOnly) return undefined;
    const clause = statement.exportClause;
    const onlyTypes = clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
    return onlyTypes ? undefined : relativeSpecifier(statement.moduleSpecifier);
  }
  return undefined;
}

/** The relative module a statement imports, for its types or its values. */
function anySpecifier(statement: ts.Statement): string | undefined {
  if (ts.isImportDeclaration(statement) || (ts.isExportDeclaration(statement) && statement.moduleSpecifier)) return relativeSpecifier(statement.moduleSpecifier!);
  return undefined;
}

const relativeSpecifier = (spec: ts.Expression): string | undefined => (ts.isStringLiteral(spec) && spec.text.startsWith('.') ? spec.text : undefined);

/**
 * Every import cycle, one per strongly connected group of files (Tarjan), as a path that starts
 * and ends at the group's first file: `a.ts → b.ts → a.ts`.
 */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      group.push(member);
      if (member === file) break;
    }
    if (group.length > 1 || graph.get(file)?.includes(file)) groups.push(group.sort());
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return groups.map((group) => cycleThrough(group, graph));
}

/** A shortest path from the group's first file back to itself, inside the group. */
function cycleThrough(group: readonly string[], graph: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(group);
  const start = group[0]!;
  const from = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const next of graph.get(file) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at: string | undefined = file; at !== undefined && at !== start; at = from.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!from.has(next)) {
        from.set(next, file);
        queue.push(next);
      }
    }
  }
  return [start, start];
}
