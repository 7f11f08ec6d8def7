import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every relative link of the README, the changelog and docs/ reaches a file that exists and, when it
 * names a section, a heading of that file: sections move between pages, links must move with them.
 * Anchors follow GitHub's rule: lower case, punctuation dropped, spaces to hyphens.
 */
const PAGES = ['README.md', 'CHANGELOG.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const withoutCode = (text: string) => text.replace(/```[\s\S]*?```/g, '');
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (page: string) => new Set([...withoutCode(readFileSync(page, 'utf8')).matchAll(/^#+ (.*)$/gm)].map((m) => anchor(m[1]!)));

describe('links between the pages', () => {
  it('names a section the way GitHub anchors it', () => {
    expect(anchor('## `drill --sandbox`'.replace(/^#+ /, ''))).toBe('drill---sandbox');
    expect(anchor("Serving a scenario's cluster: lifeguard emulator")).toBe('serving-a-scenarios-cluster-lifeguard-emulator');
  });

  it.each(PAGES)('%s links only to files and sections that exist', (page) => {
    const broken: string[] = [];
    for (const [, target] of withoutCode(readFileSync(page, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, section] = target!.split('#') as [string, string | undefined];
      const file = path ? normalize(join(dirname(page), path)) : page;
      if (!existsSync(file)) broken.push(`${target}: no file ${file}`);
      else if (section && file.endsWith('.md') && !anchorsOf(file).has(section)) broken.push(`${target}: no section #${section} in ${file}`);
    }
    expect(broken).toEqual([]);
  });
});
