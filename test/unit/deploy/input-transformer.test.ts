import { describe, expect, it } from 'vitest';
import { inputTransformer, placeholders } from '../../../deploy/input-transformer.ts';

describe('inputTransformer', () => {
  it('tells placeholders in JSON strings from whole JSON values, escapes included', () => {
    expect(placeholders('{"text": "node <node> \\"<kind>\\"", "detail": <detail>, "rule": <aws.events.rule-name>}')).toEqual([
      { name: 'node', quoted: true },
      { name: 'kind', quoted: true },
      { name: 'detail', quoted: false },
    ]);
    // A plain-text template (SNS) is all text.
    expect(placeholders('drain of <node> ended')).toEqual([{ name: 'node', quoted: true }]);
  });

  it('refuses to quote a field that may hold free text, naming it and saying what to do', () => {
    const paths = { error: '$.detail.error.Error', node: '$.detail.nodeName' };
    expect(() => inputTransformer(paths, '{"text": "failed with <error>"}')).toThrow(/quotes <error> \(\$\.detail\.error\.Error\) in text.*whole JSON value, or leave it out/);
    expect(() => inputTransformer(paths, 'failed with <error>')).toThrow(/quotes <error>/);
    expect(() => inputTransformer(paths, '{"text": "<nodes>"}')).toThrow(/<nodes>, which its InputPathsMap does not define/);
  });

  it('lets free text in as a whole JSON value, and identifiers anywhere', () => {
    const paths = { error: '$.detail.error', node: '$.detail.nodeName' };
    expect(inputTransformer(paths, '{"text": "node <node>", "error": <error>}')).toEqual({ InputPathsMap: paths, InputTemplate: '{"text": "node <node>", "error": <error>}' });
  });
});
