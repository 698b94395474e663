import { expect } from 'chai';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { compileDesignDoc, compileDesignDocs, DESIGN_DOCS_DIR } from '../../couch/design.js';

type Emitted = Array<[unknown, unknown]>;

/** Runs a map function's source in strict mode, as pouchdb-server does, with a stub emit. */
function runMap(view: string, doc: unknown): Emitted {
  const source = compileDesignDoc('_designDoc').views?.[view]?.map;
  if (!source) throw new Error(`no view ${view}`);
  const emitted: Emitted = [];
  const context = vm.createContext({
    emit: (key: unknown, value: unknown) => emitted.push([key, value]),
  });
  const map = vm.runInContext(`'use strict'; (${source})`, context) as (doc: unknown) => void;
  map(JSON.parse(JSON.stringify(doc)));
  return emitted;
}

function runValidate(userCtx: unknown): unknown {
  const source = compileDesignDoc('validate_write').validate_doc_update;
  const validate = vm.runInNewContext(`'use strict'; (${source})`) as (
    n: unknown,
    o: unknown,
    u: unknown,
  ) => void;
  try {
    validate({ _id: 'x' }, null, userCtx);
    return undefined;
  } catch (thrown) {
    return thrown;
  }
}

const name = 'pdmvserv_task_EXO-Run3Summer23wmLHEGS-01234__v1_T_240115_093012_905';

describe('design documents from source', () => {
  it('emits each distinct campaign and request once per document', () => {
    const doc = {
      RequestName: name,
      Campaigns: ['A', 'B', 'A', '', null],
      Requests: ['P-1', 'P-1', 'P-2'],
    };
    expect(runMap('campaigns', doc)).to.deep.equal([
      ['A', name],
      ['B', name],
    ]);
    expect(runMap('requests', doc)).to.deep.equal([
      ['P-1', name],
      ['P-2', name],
    ]);
  });

  it('emits every output dataset', () => {
    const doc = { RequestName: name, OutputDatasets: ['/A/B/AODSIM', '/A/B/MINIAODSIM'] };
    expect(runMap('outputDatasets', doc)).to.deep.equal([
      ['/A/B/AODSIM', name],
      ['/A/B/MINIAODSIM', name],
    ]);
  });

  it('skips missing, null and empty fields without throwing', () => {
    const bare = { RequestName: name };
    const nulls = {
      RequestName: name,
      Campaigns: null,
      Requests: null,
      OutputDatasets: null,
      PrepID: null,
      InputDataset: null,
      RequestType: null,
      ProcessingString: null,
    };
    const empties = {
      RequestName: name,
      Campaigns: [],
      Requests: [],
      OutputDatasets: [],
      PrepID: '',
      InputDataset: '',
      RequestType: '',
      ProcessingString: '',
    };
    for (const view of [
      'campaigns',
      'requests',
      'outputDatasets',
      'prepids',
      'inputDatasets',
      'types',
      'processingStrings',
    ]) {
      for (const doc of [bare, nulls, empties, {}])
        expect(runMap(view, doc), `${view} ${JSON.stringify(doc)}`).to.deep.equal([]);
    }
  });

  it('emits the single-valued fields with RequestName as value', () => {
    const doc = {
      RequestName: name,
      PrepID: 'task_EXO-Run3Summer23wmLHEGS-01234',
      InputDataset: '/In/Put/RAW',
      RequestType: 'TaskChain',
      ProcessingString: 'PS1',
    };
    expect(runMap('prepids', doc)).to.deep.equal([['task_EXO-Run3Summer23wmLHEGS-01234', name]]);
    expect(runMap('inputDatasets', doc)).to.deep.equal([['/In/Put/RAW', name]]);
    expect(runMap('types', doc)).to.deep.equal([['TaskChain', name]]);
    expect(runMap('processingStrings', doc)).to.deep.equal([['PS1', name]]);
  });

  it('lets only admins write', () => {
    expect(runValidate({ name: 'admin', roles: ['_admin'] })).to.equal(undefined);
    expect(runValidate({ name: 'bob', roles: ['reader'] })).to.deep.equal({
      forbidden: 'Only admins can modify the database.',
    });
    expect(runValidate({ name: null, roles: [] })).to.deep.equal({
      forbidden: 'Only admins can modify the database.',
    });
  });

  it('stamps a content hash that changes exactly when a function changes', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ddocs-'));
    cpSync(DESIGN_DOCS_DIR, dir, { recursive: true });
    const before = compileDesignDoc('_designDoc', dir).deploy.hash;
    expect(compileDesignDoc('_designDoc', dir).deploy.hash).to.equal(before);
    writeFileSync(
      path.join(dir, '_designDoc/views/types/map.js'),
      'function map(doc) { emit(doc.RequestType, 1); }\n',
    );
    expect(compileDesignDoc('_designDoc', dir).deploy.hash).to.not.equal(before);
  });

  it('compiles the documents of each database from the manifest', () => {
    expect(compileDesignDocs('requests').map((d) => d._id)).to.deep.equal([
      '_design/_designDoc',
      '_design/dashboards',
      '_design/validate_write',
    ]);
    expect(compileDesignDocs('settings').map((d) => d._id)).to.deep.equal([
      '_design/validate_write',
    ]);
    const views = compileDesignDocs('requests')[0]?.views ?? {};
    expect(Object.keys(views)).to.have.members([
      'campaigns',
      'inputDatasets',
      'outputDatasets',
      'prepids',
      'types',
      'processingStrings',
      'requests',
    ]);
    for (const view of Object.values(views)) expect(view.map).to.match(/^function \(doc\) \{/);
  });
});
