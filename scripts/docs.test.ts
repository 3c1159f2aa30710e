import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The user documentation: the README, docs/ and the packages' own READMEs. */
const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  ...['apps', 'packages'].flatMap((top) =>
    readdirSync(join(root, top))
      .map((name) => `${top}/${name}/README.md`)
      .filter((path) => existsSync(join(root, path))),
  ),
  'test/README.md',
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

/** Relative links `[text](target)` outside code blocks, with the line they stand on. */
function relativeLinks(markdown: string): Array<{ target: string; line: number }> {
  let inCode = false;
  return markdown.split('\n').flatMap((text, i) => {
    if (text.startsWith('```')) inCode = !inCode;
    if (inCode) return [];
    return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1] as string)
      .filter((target) => !/^[a-z]+:/.test(target))
      .map((target) => ({ target, line: i + 1 }));
  });
}

function headingsOf(markdown: string): string[] {
  let inCode = false;
  return markdown.split('\n').flatMap((text) => {
    if (text.startsWith('```')) inCode = !inCode;
    return !inCode && /^#{1,6} /.test(text) ? [slug(text.replace(/^#+ /, ''))] : [];
  });
}

describe('the documentation', () => {
  test('README.md fits on a page: at most 300 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(300);
  });

  test("the README's first sh block starts with the quickstart command for the pinned pnpm (CI runs that line)", () => {
    const pnpm = (JSON.parse(read('package.json')) as { packageManager: string }).packageManager;
    const firstShLine = /^```sh\n(.*)$/m.exec(read('README.md'))?.[1];
    expect(firstShLine).toBe(`npm install -g ${pnpm} && pnpm quickstart`);
  });

  test('every relative link points at a file that exists, and at a heading that exists', () => {
    const broken: string[] = [];
    for (const document of DOCUMENTS) {
      for (const { target, line } of relativeLinks(read(document))) {
        const [path = '', anchor] = target.split('#');
        const file = path === '' ? join(root, document) : resolve(dirname(join(root, document)), path);
        if (!existsSync(file)) broken.push(`${document}:${line}: ${target} (no such file)`);
        else if (anchor !== undefined && file.endsWith('.md') && !headingsOf(readFileSync(file, 'utf8')).includes(anchor)) {
          broken.push(`${document}:${line}: ${target} (no heading #${anchor} in ${relative(root, file)})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
