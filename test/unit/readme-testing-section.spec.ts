import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

describe('README testing section', () => {
  it('shows exactly the Jest e2e test that runs in this repository (test/e2e/readme-testing-example.e2e.spec.ts)', () => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    // The section runs from its marker to the next one.
    const start = readme.indexOf('<!-- section: testing -->');
    expect(start).toBeGreaterThanOrEqual(0);
    const end = readme.indexOf('<!-- section:', start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
    const example = readFileSync(resolve(__dirname, '..', 'e2e', 'readme-testing-example.e2e.spec.ts'), 'utf8');
    // The app's sources live in src/ where this repository has sample/, one folder further up.
    expect(blocks).toEqual([example.replaceAll("'../../sample/", "'../src/")]);
  });
});
