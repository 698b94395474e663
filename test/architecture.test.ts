/**
 * Who may import whom, read from the sources: the workflow model imports nothing of the
 * product; the website's layers import one way (http → render → read-model); the website
 * and the updater never import each other; nano is used only in couch/; the upstream
 * clients and the repositories are built only in the composition root.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** build/test/architecture.test.js → the checkout, where the .ts sources are. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SKIPPED_FOLDERS = new Set(['node_modules', 'build', 'data', 'test-artifacts', '.git']);

interface Import {
  file: string;
  /** A path from the checkout's root for a relative import (without extension), else the package name. */
  target: string;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    if (SKIPPED_FOLDERS.has(entry.name)) continue;
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...sourceFiles(relative));
    else if (entry.name.endsWith('.ts')) files.push(relative);
  }
  return files;
}

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function importsOf(file: string): Import[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const found: Import[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1] as string;
    const target = specifier.startsWith('.')
      ? path.posix.join(path.posix.dirname(file), specifier).replace(/\.js$/, '')
      : specifier;
    found.push({ file, target });
  }
  return found;
}

const within = (file: string, folder: string): boolean => file.startsWith(`${folder}/`);
const describeImport = ({ file, target }: Import): string => `${file} imports ${target}`;

describe('architecture: who imports whom', () => {
  const productFiles = sourceFiles('').filter(
    (file) => !within(file, 'test') && !within(file, 'bench'),
  );
  const imports = productFiles.flatMap(importsOf);

  it('reads the imports of every product module', () => {
    expect(productFiles).to.include.members(['main.ts', 'server/http/app.ts', 'updater/run.ts']);
    expect(imports.filter((i) => i.file === 'server/http/app.ts').length).to.be.above(5);
  });

  it('keeps workflow/ free of the rest of the product: it imports only node built-ins and itself', () => {
    const wrong = imports.filter(
      (i) =>
        within(i.file, 'workflow') &&
        !within(i.target, 'workflow') &&
        !i.target.startsWith('node:'),
    );
    expect(wrong.map(describeImport)).to.deep.equal([]);
  });

  it('imports one way inside server/: http → render → read-model', () => {
    const below: Record<string, string[]> = {
      'server/read-model': ['server/http', 'server/render'],
      'server/render': ['server/http'],
    };
    const wrong = imports.filter((i) =>
      Object.entries(below).some(
        ([layer, above]) => within(i.file, layer) && above.some((a) => within(i.target, a)),
      ),
    );
    expect(wrong.map(describeImport)).to.deep.equal([]);
    // Every file of server/ is in one of the three layers (static/ holds no code).
    const unplaced = productFiles.filter(
      (file) =>
        within(file, 'server') &&
        !['server/http', 'server/render', 'server/read-model'].some((l) => within(file, l)),
    );
    expect(unplaced).to.deep.equal([]);
  });

  it('keeps the website and the updater apart: neither imports the other', () => {
    const wrong = imports.filter(
      (i) =>
        (within(i.file, 'server') && within(i.target, 'updater')) ||
        (within(i.file, 'updater') && within(i.target, 'server')),
    );
    expect(wrong.map(describeImport)).to.deep.equal([]);
  });

  it('imports nano only in couch/', () => {
    const wrong = imports.filter((i) => i.target === 'nano' && !within(i.file, 'couch'));
    expect(wrong.map(describeImport)).to.deep.equal([]);
  });

  it('builds the upstream clients and the repositories only in the composition root (and couch/)', () => {
    const construction =
      /(?<!function )\b(createUpdaterUpstream|createCallbackNotifier)\(|new (WorkflowRepository|SettingsRepository)\(/;
    const composing = ['compose.ts', 'compose-website.ts'];
    const wrong = productFiles.filter(
      (file) =>
        !composing.includes(file) &&
        !within(file, 'couch') &&
        construction.test(readFileSync(path.join(ROOT, file), 'utf8')),
    );
    expect(wrong).to.deep.equal([]);
    expect(construction.test(readFileSync(path.join(ROOT, 'compose.ts'), 'utf8'))).to.equal(true);
  });
});
