/**
 * A changed `_designDoc`: the project's design documents copied to a temporary folder
 * with a comment added to every map function, so every view gets a new index (the
 * worst case: on Apache CouchDB any change rebuilds the whole design document's index).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileDesignDoc, DESIGN_DOCS_DIR, type DesignDocument } from '../../couch/design.js';
import { DESIGN_DOC } from '../../couch/workflows.js';

export function changedDesignDoc(stamp: string): DesignDocument {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-bench-ddoc-'));
  try {
    cpSync(DESIGN_DOCS_DIR, dir, { recursive: true });
    const views = path.join(dir, DESIGN_DOC, 'views');
    for (const view of readdirSync(views)) {
      const file = path.join(views, view, 'map.js');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          '{',
          `{\n  // changed by the deploy benchmark: ${stamp}`,
        ),
      );
    }
    return compileDesignDoc(DESIGN_DOC, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
