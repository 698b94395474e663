/**
 * The parts of a ReqMgr2 request document that Stats2 reads
 * (docs/upstreams.md#fields-stats2-reads, #tasks-and-steps), validated
 * (docs/workflow-document.md#validating-the-reqmgr2-document). Accepts the real variants
 * (dict-valued AcquisitionEra/ProcessingString, nested OutputDatasets, null PrepID, missing
 * TotalInput*); anything else of the wrong type makes the whole document unusable, so that
 * garbage is never turned into a workflow document.
 */
import { z } from 'zod';
import type { LumiList } from '../workflow/documents.js';
import { Stats2Error } from '../lib/errors.js';
import type { NestedDatasets } from './dataset-order.js';

const lumiListSchema: z.ZodType<LumiList> = z.record(
  z.string(),
  z.array(z.tuple([z.number().int(), z.number().int()])),
);

const nestedDatasetsSchema: z.ZodType<NestedDatasets> = z.lazy(() =>
  z.array(z.union([z.string(), nestedDatasetsSchema])),
);

/**
 * A name that is only ever used as a label (campaign, era, task PrepID): the original
 * takes it when it is non-empty, so anything else counts as absent.
 */
const labelSchema = z
  .unknown()
  .optional()
  .transform((value) => (typeof value === 'string' && value.length > 0 ? value : undefined));

const countSchema = z.number().nullish();

const taskSchema = z.object({
  PrepID: labelSchema,
  Campaign: labelSchema,
  AcquisitionEra: labelSchema,
  InputDataset: z.string().nullish(),
  ProcessingString: z.unknown().optional(),
  RequestNumEvents: countSchema,
  FilterEfficiency: z.number().nullish(),
  LumiList: lumiListSchema.nullish(),
});

const documentSchema = z.object({
  _id: z.string().optional(),
  RequestName: z.string().min(1),
  RequestType: z.string().nullish(),
  RequestPriority: z
    .union([
      z.number(),
      z
        .string()
        .regex(/^-?\d+$/)
        .transform(Number),
    ])
    .nullish(),
  RequestTransition: z.array(z.object({ Status: z.string(), UpdateTime: z.number() })).nullish(),
  PrepID: z.string().nullish(),
  Campaign: labelSchema,
  AcquisitionEra: z.union([z.string(), z.record(z.string(), z.string())]).nullish(),
  ProcessingString: z.unknown().optional(),
  CMSSWVersion: z.string().nullish(),
  InputDataset: z.string().nullish(),
  OutputDatasets: nestedDatasetsSchema.nullish(),
  LumiList: lumiListSchema.nullish(),
  SizePerEvent: z.number().nullish(),
  TimePerEvent: z.number().nullish(),
  TotalInputEvents: countSchema,
  TotalInputLumis: countSchema,
  TotalInputFiles: countSchema,
  RequestNumEvents: countSchema,
  FilterEfficiency: z.number().nullish(),
  OriginalRequestName: z.string().nullish(),
});

export type ReqMgrTask = z.output<typeof taskSchema>;

export type ReqMgrDocument = z.output<typeof documentSchema> & {
  /** `Task1, Task2, …` (`Step1, …` when the document has `StepChain`) up to the first missing one. */
  chain: ReqMgrTask[];
  /** Read whatever the chain kind: several rules fall back from Task1 to Step1. */
  Task1?: ReqMgrTask;
  Step1?: ReqMgrTask;
};

export class ReqMgrDocumentError extends Stats2Error {
  readonly workflow: string;
  readonly problems: readonly string[];

  constructor(workflow: string, problems: readonly string[]) {
    super(`ReqMgr2 document of ${workflow} is not usable: ${problems.join('; ')}`, {
      code: 'REQMGR_DOCUMENT_INVALID',
      statusCode: 502,
    });
    this.workflow = workflow;
    this.problems = problems;
  }
}

/** Validates a ReqMgr2 document as fetched; throws ReqMgrDocumentError listing every problem. */
export function parseReqMgrDocument(raw: unknown): ReqMgrDocument {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ReqMgrDocumentError('(unknown workflow)', ['the document is not a JSON object']);
  }
  const source = raw as Record<string, unknown>;
  const problems: string[] = [];
  const parsed = new Map<string, ReqMgrTask>();

  const parseTask = (key: string): ReqMgrTask | undefined => {
    if (!(key in source)) return undefined;
    const known = parsed.get(key);
    if (known) return known;
    const result = taskSchema.safeParse(source[key]);
    if (!result.success) {
      problems.push(...describeIssues(result.error, key));
      return undefined;
    }
    parsed.set(key, result.data);
    return result.data;
  };

  const top = documentSchema.safeParse(source);
  if (!top.success) problems.push(...describeIssues(top.error));

  const prefix = 'StepChain' in source ? 'Step' : 'Task';
  const chain: ReqMgrTask[] = [];
  for (let index = 1; `${prefix}${index}` in source; index++) {
    const task = parseTask(`${prefix}${index}`);
    if (task) chain.push(task);
  }
  const Task1 = parseTask('Task1');
  const Step1 = parseTask('Step1');

  if (top.success && top.data._id !== undefined && top.data._id !== top.data.RequestName) {
    problems.push(`_id ${top.data._id} differs from RequestName ${top.data.RequestName}`);
  }
  if (!top.success || problems.length > 0) {
    throw new ReqMgrDocumentError(workflowNameOf(source), problems);
  }
  return { ...top.data, chain, Task1, Step1 };
}

function describeIssues(error: z.ZodError, under?: string): string[] {
  return error.issues.map((issue) => {
    const path = [...(under === undefined ? [] : [under]), ...issue.path.map(String)].join('.');
    return `${path || '(document)'}: ${issue.message}`;
  });
}

function workflowNameOf(source: Record<string, unknown>): string {
  for (const key of ['RequestName', '_id']) {
    const value = source[key];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return '(unknown workflow)';
}
