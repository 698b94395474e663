/**
 * How the workflow index holds a workflow: its `_rev` and its summary as one record of
 * bytes (record-codec.ts), the name left out (it is the key). Values many workflows share
 * are atoms (atom-table.ts): type, statuses, processing string, input dataset, campaigns,
 * and of each output dataset `/primary/processed/tier` the processed name, the tier and
 * the DBS type; the primary part is written once for a run of datasets that share it.
 * At 200,000 workflows that is ~230 bytes a workflow instead of ~680 as JSON text.
 * Unpacking one takes a few microseconds and happens when a block is rendered or a
 * filter checks a candidate.
 */
import type { AtomTable } from './atom-table.js';
import { RecordReader, RecordWriter } from './record-codec.js';
import type { DatasetSummary, WorkflowSummary } from './workflow-summary.js';

export type PackedSummary = string & { readonly __packed: unique symbol };

/** Bits of a record's flags. */
const FLAG = { lumisMode: 1, filterable: 2, datasetsListed: 4 } as const;
/** How a record holds the document revision. */
const REVISION = { none: 0, hash: 1, text: 2 } as const;
/** CouchDB's and PouchDB's revisions: a generation and 32 hex digits. */
const HASH_REVISION_FORM = /^([1-9][0-9]{0,14})-([0-9a-f]{32})$/;
/** How a record holds a PrepID or request: absent, a place in the workflow's name, or the text. */
const NAME_PART = { none: 0, inName: 1, literal: 2 } as const;
/** How a record holds an output dataset: whole, or its primary part once for a run of datasets. */
const DATASET = { raw: 0, newPrimary: 1, samePrimary: 2 } as const;
const DATASET_FORM = /^\/([^/]+)\/([^/]+)\/([^/]+)$/;

const writer = new RecordWriter();

export function packSummary(
  s: WorkflowSummary,
  revision: string | undefined,
  atoms: AtomTable,
): PackedSummary {
  const w = writer.reset();
  writeRevision(w, revision);
  w.varint(
    (s.lumisMode ? FLAG.lumisMode : 0) |
      (s.filterable ? FLAG.filterable : 0) |
      (s.datasetsListed ? FLAG.datasetsListed : 0),
  );
  const atom = (text: string | undefined) => (text === undefined ? undefined : atoms.id(text));
  writeNamePart(w, s.name, s.prepid);
  w.atom(atom(s.type));
  w.number(s.priority);
  w.number(s.totalEvents);
  w.number(s.totalInputLumis);
  w.number(s.lastUpdate);
  w.atom(atom(s.firstStatus));
  w.number(s.firstStatusTime);
  w.atom(atom(s.lastStatus));
  w.number(s.lastStatusTime);
  w.atom(atom(s.processingString));
  w.atom(atom(s.inputDataset));
  w.varint(s.requests.length);
  for (const request of s.requests) writeNamePart(w, s.name, request);
  w.varint(s.campaigns.length);
  for (const campaign of s.campaigns) w.atom(atoms.id(campaign));
  w.varint(s.datasets.length);
  let primary: string | undefined;
  for (const dataset of s.datasets) {
    const parts = DATASET_FORM.exec(dataset.name);
    if (!parts) {
      w.varint(DATASET.raw);
      w.string(dataset.name);
      primary = undefined;
    } else {
      if (parts[1] === primary) w.varint(DATASET.samePrimary);
      else {
        primary = parts[1] as string;
        w.varint(DATASET.newPrimary);
        w.string(primary);
      }
      w.atom(atoms.id(parts[2] as string));
      w.atom(atoms.id(parts[3] as string));
    }
    w.atom(atom(dataset.type));
    w.number(dataset.events);
    w.number(dataset.size);
    w.number(dataset.lumis);
  }
  w.number(s.firstRun);
  return w.finish() as PackedSummary;
}

export function unpackSummary(
  name: string,
  packed: PackedSummary,
  atoms: AtomTable,
): WorkflowSummary {
  const r = new RecordReader(packed);
  readRevision(r);
  const flags = r.varint();
  const atom = () => {
    const id = r.atom();
    return id === undefined ? undefined : atoms.text(id);
  };
  const prepid = readNamePart(r, name);
  const type = atom();
  const priority = r.number();
  const totalEvents = r.number();
  const totalInputLumis = r.number();
  const lastUpdate = r.number();
  const firstStatus = atom();
  const firstStatusTime = r.number();
  const lastStatus = atom();
  const lastStatusTime = r.number();
  const processingString = atom();
  const inputDataset = atom();
  const requests = Array.from({ length: r.varint() }, () => readNamePart(r, name) as string);
  const campaigns = Array.from({ length: r.varint() }, () => atom() as string);
  const datasets: DatasetSummary[] = [];
  let primary = '';
  for (let n = r.varint(); n > 0; n--) {
    const kind = r.varint();
    let datasetName: string;
    if (kind === DATASET.raw) datasetName = r.string() as string;
    else {
      if (kind === DATASET.newPrimary) primary = r.string() as string;
      datasetName = `/${primary}/${atom()}/${atom()}`;
    }
    datasets.push({
      name: datasetName,
      type: atom(),
      events: r.number(),
      size: r.number(),
      lumis: r.number(),
    });
  }
  return {
    name,
    prepid,
    type,
    priority,
    totalEvents,
    totalInputLumis,
    lumisMode: (flags & FLAG.lumisMode) !== 0,
    lastUpdate,
    firstStatus,
    firstStatusTime,
    lastStatus,
    lastStatusTime,
    processingString,
    inputDataset,
    requests,
    campaigns,
    datasets,
    firstRun: r.number(),
    filterable: (flags & FLAG.filterable) !== 0,
    datasetsListed: (flags & FLAG.datasetsListed) !== 0,
  };
}

/**
 * PrepIDs and requests are mostly part of the workflow's name
 * (`pdmvserv_task_HIG-…-00123__v1_T_…` has PrepID `task_HIG-…-00123`): then only where.
 */
function writeNamePart(w: RecordWriter, name: string, text: string | undefined): void {
  if (text === undefined) return w.varint(NAME_PART.none);
  const at = text === '' ? -1 : name.indexOf(text);
  if (at < 0) {
    w.varint(NAME_PART.literal);
    return w.string(text);
  }
  w.varint(NAME_PART.inName);
  w.varint(at);
  w.varint(text.length);
}

function readNamePart(r: RecordReader, name: string): string | undefined {
  switch (r.varint()) {
    case NAME_PART.none:
      return undefined;
    case NAME_PART.inName: {
      const at = r.varint();
      return name.slice(at, at + r.varint());
    }
    default:
      return r.string();
  }
}

/**
 * The bytes a record holds when a workflow's `field` is exactly `value` and not kept as a
 * place in its name: what a filter looks for before unpacking a candidate. A PrepID or
 * request is a literal text; an output dataset's primary part starts a run of datasets
 * (or a dataset of another form is written whole).
 */
export function exactValueBytes(
  field: 'prepid' | 'request' | 'output_dataset',
  value: string,
): Buffer {
  const w = new RecordWriter();
  const dataset = field === 'output_dataset' ? DATASET_FORM.exec(value) : null;
  if (field !== 'output_dataset') {
    w.varint(NAME_PART.literal);
    w.string(value);
  } else if (dataset) {
    w.varint(DATASET.newPrimary);
    w.string(dataset[1]);
  } else {
    w.varint(DATASET.raw);
    w.string(value);
  }
  return Buffer.from(w.finish(), 'latin1');
}

/** The document revision the record was made from. */
export function revisionOf(packed: PackedSummary): string | undefined {
  return readRevision(new RecordReader(packed));
}

function writeRevision(w: RecordWriter, revision: string | undefined): void {
  if (revision === undefined) return w.varint(REVISION.none);
  const hash = HASH_REVISION_FORM.exec(revision);
  if (hash) {
    w.varint(REVISION.hash);
    w.varint(Number(hash[1]));
    w.bytes(Buffer.from(hash[2] as string, 'hex'));
    return;
  }
  w.varint(REVISION.text);
  w.string(revision);
}

function readRevision(r: RecordReader): string | undefined {
  switch (r.varint()) {
    case REVISION.none:
      return undefined;
    case REVISION.hash:
      return `${r.varint()}-${r.hex(16)}`;
    default:
      return r.string();
  }
}
