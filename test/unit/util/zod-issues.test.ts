import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeIssues, formatIssues, issuePath, issuesInline, joinPaths } from '../../../lib/util/zod-issues.ts';

const errorOf = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected the value to be rejected');
  return result.error;
};

const cluster = z.strictObject({ name: z.string(), size: z.number().int().min(1), tags: z.record(z.string(), z.string()).optional() });
const doc = z.object({ clusters: z.array(cluster) });

describe('one wording for every zod issue', () => {
  it('names the field by its path and says what is expected and what came', () => {
    const raw = { clusters: [{ name: 'a', size: 1 }, { name: 7, size: 0, tags: [] }] };
    expect(describeIssues(errorOf(doc, raw), { value: raw }).map((i) => i.line)).toEqual([
      'clusters.1.name: expected a string (got 7)',
      'clusters.1.size: expected at least 1 (got 0)',
      'clusters.1.tags: expected an object (got a list of 0)',
    ]);
  });

  it('says "got nothing" for a missing field and says nothing of the value when it was not given', () => {
    expect(issuesInline(errorOf(doc, { clusters: [{ size: 1 }] }), { value: { clusters: [{ size: 1 }] } })).toBe('clusters.0.name: expected a string (got nothing)');
    expect(issuesInline(errorOf(doc, { clusters: [{ size: 1 }] }))).toBe('clusters.0.name: expected a string');
  });

  it('suggests the field meant for an unknown one, and prefixes where the input sits', () => {
    const raw = { clusters: [{ name: 'a', size: 1, sise: 2 }] };
    expect(formatIssues(errorOf(doc, raw), raw, doc)).toBe('  - clusters.0: unknown field "sise" (did you mean "size"?)');
    expect(describeIssues(errorOf(cluster, { name: 'a', size: 1.5 }), { value: { name: 'a', size: 1.5 }, at: ['detail'] })).toEqual([
      { path: 'detail.size', line: 'detail.size: expected an integer (got 1.5)' },
    ]);
  });

  it('keeps the schema\'s own message, and leaves "got" out only where a refinement judged a whole object', () => {
    const window = z
      .object({ from: z.number(), to: z.number().refine((n) => n >= 0, 'a time at or after zero') })
      .refine((w) => w.to >= w.from, 'to must not come before from');
    expect(issuesInline(errorOf(window, { from: 1, to: -1 }), { value: { from: 1, to: -1 } })).toBe('to: a time at or after zero (got -1); (root): to must not come before from');
  });

  it('writes the document itself as (root) and joins paths around it', () => {
    expect(issuePath([])).toBe('(root)');
    expect(joinPaths('Messages.0.Body', 'detail.instance-id')).toBe('Messages.0.Body.detail.instance-id');
    expect(joinPaths('Messages.0.Body', '(root)')).toBe('Messages.0.Body');
    expect(joinPaths('(root)', 'detail')).toBe('detail');
  });
});
