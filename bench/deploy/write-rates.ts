/**
 * `_bulk_docs` write rate of generated workflows into scratch databases: one without
 * design documents, one with only `validate_write` (every write then runs it in the
 * database's JavaScript engine), each dropped afterwards.
 */
import { compileDesignDoc } from '../../couch/design.js';
import { deployDesignDocs } from '../../couch/deploy.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import type { BenchCouch } from '../support/bench-couch.js';
import { fillWorkflows, type Fill } from '../website/fill-workflows.js';

export interface WriteRates {
  withoutDesignDocs: Fill;
  withValidateOnly: Fill;
}

export async function measureWriteRates(
  couch: BenchCouch,
  prefix: string,
  count: number,
  make: (i: number) => StoredWorkflow,
): Promise<WriteRates> {
  const withoutDesignDocs = await intoScratch(couch, `${prefix}_plain`, count, make, false);
  const withValidateOnly = await intoScratch(couch, `${prefix}_validate`, count, make, true);
  return { withoutDesignDocs, withValidateOnly };
}

async function intoScratch(
  couch: BenchCouch,
  name: string,
  count: number,
  make: (i: number) => StoredWorkflow,
  validate: boolean,
): Promise<Fill> {
  await couch.server.db.create(name);
  try {
    if (validate) await deployDesignDocs(couch.server, name, [compileDesignDoc('validate_write')]);
    return await fillWorkflows(new WorkflowRepository(couch.server, name), count, make);
  } finally {
    await couch.server.db.destroy(name);
  }
}

/** Mean size of a generated workflow as JSON. */
export function meanDocumentBytes(make: (i: number) => StoredWorkflow): number {
  const sizes = Array.from({ length: 100 }, (_, i) => Buffer.byteLength(JSON.stringify(make(i))));
  return sizes.reduce((a, b) => a + b, 0) / sizes.length;
}
