/**
 * Which PdmV service (McM, ReReco, RelVal) a workflow belongs to. Two rules answer two
 * different questions, and they can disagree (a ReReco-typed workflow with an McM-form
 * PrepID is notified as ReReco but its request links point to McM). Both are kept as
 * the original Stats2 has them.
 *
 * - `notifiedServiceOf`: the service told after the workflow changed
 *   (docs/update-run.md#routing). ReReco by RequestType or PrepID prefix, then RelVal by
 *   the RequestName, then McM.
 * - `prepidServiceOf`: the service whose pages a PrepID's links point to, from the
 *   PrepID's form alone (docs/website.md#links-by-prepid-form): `ReReco-…-NNNNN`,
 *   `CMSSW_…-NNNNN`, `(task_)?XXX-…-NNNNN` (`task_` marks a chain); none for other text.
 */

export type PdmvService = 'mcm' | 'rereco' | 'relval';

/** The fields of a stored workflow that decide which service is notified. */
export interface NotifiedServiceFields {
  _id: string;
  RequestType?: string | null;
  PrepID?: string | null;
}

export function notifiedServiceOf(workflow: NotifiedServiceFields): PdmvService {
  const prepid = workflow.PrepID ?? '';
  if (workflow.RequestType?.toLowerCase() === 'rereco' || prepid.startsWith('ReReco-'))
    return 'rereco';
  if (workflow._id.includes('RVCMSSW')) return 'relval';
  return 'mcm';
}

export function prepidServiceOf(prepid: string | undefined): PdmvService | undefined {
  if (prepid === undefined) return undefined;
  if (/^ReReco-.+-\d{5}$/.test(prepid)) return 'rereco';
  if (/^CMSSW_.+-\d{5}$/.test(prepid)) return 'relval';
  if (/^(task_)?[A-Za-z0-9]+-.+-\d{5}$/.test(prepid)) return 'mcm';
  return undefined;
}
