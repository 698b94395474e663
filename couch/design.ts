/**
 * Design documents as source: `couch/design-docs/<ddoc>/views/<view>/map.js` (plus an
 * optional `reduce` file naming a built-in such as `_count`) and
 * `<ddoc>/validate_doc_update.js`, compiled into the JSON CouchDB stores. Each compiled
 * document carries a content hash, so a deploy can tell unchanged from changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DESIGN_DOCS_DIR = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'design-docs',
);

export type DatabaseRole = 'requests' | 'settings';

export interface DesignDocument {
  _id: string;
  _rev?: string;
  language: 'javascript';
  views?: Record<string, { map: string; reduce?: string }>;
  validate_doc_update?: string;
  deploy: { hash: string; version: string };
}

/** Design document names per database, from `design-docs/manifest.json`. */
export function designDocManifest(dir = DESIGN_DOCS_DIR): Record<DatabaseRole, string[]> {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<
    DatabaseRole,
    string[]
  >;
}

export function compileDesignDocs(role: DatabaseRole, dir = DESIGN_DOCS_DIR): DesignDocument[] {
  return designDocManifest(dir)[role].map((name) => compileDesignDoc(name, dir));
}

export function compileDesignDoc(name: string, dir = DESIGN_DOCS_DIR): DesignDocument {
  const root = path.join(dir, name);
  const content: Omit<DesignDocument, '_id' | 'deploy'> = { language: 'javascript' };

  const viewsDir = path.join(root, 'views');
  if (existsSync(viewsDir)) {
    const views: NonNullable<DesignDocument['views']> = {};
    for (const view of readdirSync(viewsDir).sort()) {
      const map = couchFunction(path.join(viewsDir, view, 'map.js'));
      const reduceFile = path.join(viewsDir, view, 'reduce');
      views[view] = existsSync(reduceFile)
        ? { map, reduce: readFileSync(reduceFile, 'utf8').trim() }
        : { map };
    }
    content.views = views;
  }
  const validateFile = path.join(root, 'validate_doc_update.js');
  if (existsSync(validateFile)) content.validate_doc_update = couchFunction(validateFile);

  const hash = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
  return { _id: `_design/${name}`, ...content, deploy: { hash, version: `${name}-${hash}` } };
}

/**
 * The source files declare named functions (`function map(doc) {…}`) so that they are
 * valid scripts for linters and tests; CouchDB wants an anonymous function expression.
 */
export function couchFunction(file: string): string {
  const source = readFileSync(file, 'utf8').trim();
  if (!/^function\s+\w+\s*\(/.test(source)) {
    throw new Error(
      `${file} must hold exactly one function declaration, e.g. "function map(doc) { … }"`,
    );
  }
  return source.replace(/^function\s+\w+\s*\(/, 'function (');
}
