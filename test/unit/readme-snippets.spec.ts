import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/*
 * The README's TypeScript snippets compile as a user pastes them into an app made by `nest new`.
 * Every ```ts block outside the testing section (whose Jest example runs as
 * test/e2e/readme-testing-example.e2e.spec.ts) says on its first line where it goes:
 *
 * - `// src/<file>.ts`: the whole file. The quick start's files form the app; a whole file from
 *   another section is added to it, or, when the quick start has a file of that name, replaces it
 *   in a copy of the app of its own.
 * - `// in src/app.module.ts, AppModule's imports...`: import lines, then entries of AppModule's
 *   `imports` array, checked as the `imports` of a module of their own.
 *
 * The files are written to a temporary directory and type-checked together with the repository's
 * TypeScript, under the compiler options `nest new` writes (test/compat/nest11-jest-app) made
 * strict, the package mapped to lib/ as tsconfig.json's paths do.
 */

const ROOT = resolve(__dirname, '..', '..');
const NEST_NEW_TSCONFIG = resolve(ROOT, 'test/compat/nest11-jest-app/tsconfig.json');

interface Snippet {
  /** 1-based line of the README where the block's code starts. */
  line: number;
  section: string;
  /** The block's code, without its closing fence. */
  code: string;
}

type Placement = { kind: 'file'; path: string; source: string } | { kind: 'imports'; imports: string[]; entries: string };

const WHOLE_FILE = /^\/\/ (src\/[\w./-]+\.ts)\s*$/;
const MODULE_IMPORTS = /^\/\/ in src\/app\.module\.ts, AppModule's imports\b/;

/** What `nest new` writes next to app.module.ts, which the quick start's AppModule keeps. */
const NEST_NEW_FILES: Record<string, string> = {
  'src/app.controller.ts': [
    "import { Controller, Get } from '@nestjs/common';",
    "import { AppService } from './app.service';",
    '',
    '@Controller()',
    'export class AppController {',
    '  constructor(private readonly appService: AppService) {}',
    '',
    '  @Get()',
    '  getHello(): string {',
    '    return this.appService.getHello();',
    '  }',
    '}',
    '',
  ].join('\n'),
  'src/app.service.ts': [
    "import { Injectable } from '@nestjs/common';",
    '',
    '@Injectable()',
    'export class AppService {',
    '  getHello(): string {',
    "    return 'Hello World!';",
    '  }',
    '}',
    '',
  ].join('\n'),
};

function readmeSnippets(readme: string): Snippet[] {
  const markers = [...readme.matchAll(/<!-- section: ([\w ]+) -->/g)].map((match) => ({ at: match.index, name: match[1] }));
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => {
    const at = match.index;
    const section = markers.filter((marker) => marker.at < at).pop()?.name ?? '(top)';
    return { line: readme.slice(0, at).split('\n').length + 1, section, code: match[1] };
  });
}

function placementOf(snippet: Snippet): Placement | undefined {
  const [first, ...rest] = snippet.code.split('\n');
  const file = WHOLE_FILE.exec(first);
  if (file) return { kind: 'file', path: file[1], source: rest.join('\n') };
  if (!MODULE_IMPORTS.test(first)) return undefined;
  const imports: string[] = [];
  while (rest.length > 0 && (rest[0].startsWith('import ') || rest[0].trim() === '')) imports.push(rest.shift()!);
  return { kind: 'imports', imports, entries: rest.join('\n') };
}

/** A module whose `imports` are the snippet's entries, so they must be what `@Module` accepts. */
function moduleOf(placement: Extract<Placement, { kind: 'imports' }>, index: number): string {
  return [
    ...placement.imports,
    "import { Module as ReadmeSnippetModule } from '@nestjs/common';",
    '',
    '@ReadmeSnippetModule({',
    '  imports: [',
    placement.entries,
    '  ],',
    '})',
    `export class ReadmeSnippet${index}Module {}`,
    '',
  ].join('\n');
}

function compilerOptions(baseUrl: string): ts.CompilerOptions {
  const nestNew = JSON.parse(readFileSync(NEST_NEW_TSCONFIG, 'utf8')) as { compilerOptions: Record<string, unknown> };
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    {
      ...nestNew.compilerOptions,
      strict: true,
      noEmit: true,
      incremental: false,
      baseUrl,
      paths: {
        'nestjs-complycube-webhooks': [resolve(ROOT, 'lib/index.ts')],
        'nestjs-complycube-webhooks/*': [resolve(ROOT, 'lib/*/index.ts')],
      },
    },
    baseUrl,
  );
  if (errors.length > 0) throw new Error(ts.flattenDiagnosticMessageText(errors[0].messageText, '\n'));
  return options;
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

describe('README snippets', () => {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const snippets = readmeSnippets(readme).filter((snippet) => snippet.section !== 'testing');
  const placed = snippets.map((snippet) => ({ snippet, placement: placementOf(snippet) }));

  it('say on their first line which file they belong to', () => {
    const unplaced = placed
      .filter(({ placement }) => !placement)
      .map(({ snippet }) => `README.md:${snippet.line}: ${snippet.code.split('\n')[0]}`);
    expect(unplaced).toEqual([]);
  });

  it('compile as pasted into an app made by nest new, the quick start first', () => {
    const quickStart = new Map<string, string>();
    const added = new Map<string, { source: string; line: number }>();
    const replacements: Array<{ path: string; source: string; line: number }> = [];
    const moduleImports: Array<{ placement: Extract<Placement, { kind: 'imports' }>; line: number }> = [];
    for (const { snippet, placement } of placed) {
      if (placement?.kind === 'file' && snippet.section === 'quick start') {
        expect([`README.md:${snippet.line}`, quickStart.has(placement.path)]).toEqual([`README.md:${snippet.line}`, false]);
        quickStart.set(placement.path, placement.source);
      }
    }
    expect([...quickStart.keys()]).toEqual(expect.arrayContaining(['src/main.ts', 'src/app.module.ts']));
    for (const { snippet, placement } of placed) {
      if (!placement || snippet.section === 'quick start') continue;
      if (placement.kind === 'imports') moduleImports.push({ placement, line: snippet.line });
      else if (quickStart.has(placement.path)) replacements.push({ ...placement, line: snippet.line });
      else {
        expect([`README.md:${snippet.line}: ${placement.path}`, added.has(placement.path)]).toEqual([
          `README.md:${snippet.line}: ${placement.path}`,
          false,
        ]);
        added.set(placement.path, { source: placement.source, line: snippet.line });
      }
    }

    const workDir = mkdtempSync(join(tmpdir(), 'readme-snippets-'));
    try {
      symlinkSync(resolve(ROOT, 'node_modules'), join(workDir, 'node_modules'), 'dir');
      write(join(workDir, 'package.json'), JSON.stringify({ name: 'readme-snippets', private: true }));
      /** Where each file written came from, for the failure message. */
      const origin = new Map<string, string>();
      const writeApp = (dir: string, replacement?: { path: string; source: string; line: number }): void => {
        const files = new Map<string, { source: string; from: string }>();
        for (const [path, source] of Object.entries(NEST_NEW_FILES)) files.set(path, { source, from: `what nest new writes (${path})` });
        for (const [path, source] of quickStart) files.set(path, { source, from: `the quick start's ${path}` });
        for (const [path, { source, line }] of added) files.set(path, { source, from: `README.md:${line} (${path})` });
        if (replacement)
          files.set(replacement.path, { source: replacement.source, from: `README.md:${replacement.line} (${replacement.path})` });
        for (const [path, { source, from }] of files) {
          write(join(workDir, dir, path), source);
          origin.set(join(workDir, dir, path), from);
        }
      };
      writeApp('app');
      replacements.forEach((replacement, index) => writeApp(`variant-${index + 1}`, replacement));
      moduleImports.forEach(({ placement, line }, index) => {
        const path = join(workDir, 'module-imports', `readme-line-${line}.ts`);
        write(path, moduleOf(placement, index + 1));
        origin.set(path, `README.md:${line} (entries of AppModule's imports)`);
      });

      const program = ts.createProgram([...origin.keys()], compilerOptions(workDir));
      const problems = ts
        .getPreEmitDiagnostics(program)
        // The package's own sources are checked by npm run lint; here, only what a user writes.
        .filter((diagnostic) => !diagnostic.file || origin.has(diagnostic.file.fileName))
        .map((diagnostic) => {
          const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
          if (!diagnostic.file) return message;
          const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
          const text = diagnostic.file.text.split('\n')[line].trim();
          return `${origin.get(diagnostic.file.fileName)}: TS${diagnostic.code} ${message} (at \`${text}\`)`;
        });
      // A quick start file is checked in every copy of the app: report its problems once.
      expect([...new Set(problems)]).toEqual([]);
      expect(origin.size).toBeGreaterThan(Object.keys(NEST_NEW_FILES).length + quickStart.size);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("are sample/'s files, where sample/ has the file (its AppModule registers more handlers)", () => {
    const differing: string[] = [];
    for (const { snippet, placement } of placed) {
      if (placement?.kind !== 'file' || placement.path === 'src/app.module.ts') continue;
      const samplePath = resolve(ROOT, 'sample', relative('src', placement.path));
      if (!existsSync(samplePath)) continue;
      const sample = readFileSync(samplePath, 'utf8');
      const sameFileElsewhere = placed.some(
        ({ placement: other }) => other !== placement && other?.kind === 'file' && other.path === placement.path && other.source === sample,
      );
      if (sample !== placement.source && !sameFileElsewhere) differing.push(`README.md:${snippet.line} (${placement.path})`);
    }
    expect(differing).toEqual([]);
  });
});
