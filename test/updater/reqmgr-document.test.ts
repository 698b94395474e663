import { expect } from 'chai';
import { ReqMgrDocumentError, parseReqMgrDocument } from '../../updater/reqmgr-document.js';
import {
  RERECO_NAME,
  TASKCHAIN_NAME,
  mcmTaskChainDocument,
  reRecoDocument,
  resubmissionDocument,
} from './fixtures.js';

function parseError(raw: unknown): ReqMgrDocumentError {
  try {
    parseReqMgrDocument(raw);
  } catch (err) {
    expect(err).to.be.instanceOf(ReqMgrDocumentError);
    return err as ReqMgrDocumentError;
  }
  expect.fail('the document was accepted');
}

describe('parseReqMgrDocument', () => {
  it('keeps the fields Stats2 reads and drops the rest, DN included', () => {
    const doc = parseReqMgrDocument(reRecoDocument());
    expect(doc.RequestName).to.equal(RERECO_NAME);
    expect(doc.TotalInputEvents).to.equal(1204318);
    expect(doc.RequestTransition?.[1]).to.deep.equal({
      Status: 'assignment-approved',
      UpdateTime: 1725264930,
    });
    expect(doc).not.to.have.property('_attachments');
    expect(doc).not.to.have.property('GlobalTag');
    expect(doc.chain).to.deep.equal([]);
  });

  it('accepts the real variants: dict AcquisitionEra and ProcessingString, null PrepID, no TotalInput*', () => {
    const raw = mcmTaskChainDocument();
    raw.PrepID = null;
    delete raw.TotalInputEvents;
    delete raw.TotalInputLumis;
    delete raw.TotalInputFiles;
    raw.OutputDatasets = [['/A/B-v1/RECO'], [['/A/C-v1/ALCARECO']]];
    const doc = parseReqMgrDocument(raw);
    expect(doc.AcquisitionEra).to.deep.include({
      'EXO-Run3Summer23wmLHEGS-01234_0': 'Run3Summer23wmLHEGS',
    });
    expect(doc.PrepID).to.equal(null);
    expect(doc.TotalInputEvents).to.equal(undefined);
    expect(doc.OutputDatasets).to.deep.equal([['/A/B-v1/RECO'], [['/A/C-v1/ALCARECO']]]);
  });

  it('walks Task1, Task2, … up to the first missing one', () => {
    const raw = mcmTaskChainDocument();
    raw.Task5 = { PrepID: 'EXO-Run3Summer23MiniAODv4-00789' };
    const doc = parseReqMgrDocument(raw);
    expect(doc.chain.map((task) => task.PrepID)).to.deep.equal([
      'EXO-Run3Summer23wmLHEGS-01234',
      'EXO-Run3Summer23DRPremix-00456',
      'EXO-Run3Summer23DRPremix-00456',
    ]);
    delete raw.Task2;
    expect(parseReqMgrDocument(raw).chain).to.have.length(1);
  });

  it('walks Step1, Step2, … when the document has StepChain, and still reads Task1', () => {
    const raw = {
      RequestName: 'pdmvserv_task_B2G-Run3Summer22EEwmLHEGS-00512__v1_T_230301_120000_42',
      RequestType: 'StepChain',
      StepChain: 2,
      Task1: { PrepID: 'ignored-for-the-walk', FilterEfficiency: 0.5 },
      Step1: { StepName: 'GEN', PrepID: 'B2G-Run3Summer22EEwmLHEGS-00512' },
      Step2: { StepName: 'DIGI', PrepID: 'B2G-Run3Summer22EEDRPremix-00301' },
    };
    const doc = parseReqMgrDocument(raw);
    expect(doc.chain.map((step) => step.PrepID)).to.deep.equal([
      'B2G-Run3Summer22EEwmLHEGS-00512',
      'B2G-Run3Summer22EEDRPremix-00301',
    ]);
    expect(doc.Task1?.FilterEfficiency).to.equal(0.5);
    expect(doc.Step1?.PrepID).to.equal('B2G-Run3Summer22EEwmLHEGS-00512');
  });

  it('treats empty or non-string campaign labels as absent rather than failing', () => {
    const raw = mcmTaskChainDocument();
    raw.Task2 = { ...(raw.Task2 as object), Campaign: '', PrepID: null };
    const [, task2] = parseReqMgrDocument(raw).chain;
    expect(task2?.Campaign).to.equal(undefined);
    expect(task2?.PrepID).to.equal(undefined);
    expect(task2?.AcquisitionEra).to.equal('Run3Summer23DRPremix');
  });

  it('rejects a CouchDB error body (a missing document) naming what is wrong', () => {
    const error = parseError({ error: 'not_found', reason: 'missing' });
    expect(error.code).to.equal('REQMGR_DOCUMENT_INVALID');
    expect(error.workflow).to.equal('(unknown workflow)');
    expect(error.problems.join()).to.match(/^RequestName: /);
  });

  it('rejects values of the wrong type, listing every problem with its path', () => {
    const raw = mcmTaskChainDocument();
    raw.TotalInputEvents = '250000';
    (raw.RequestTransition as Array<Record<string, unknown>>)[0]!.UpdateTime = null;
    raw.Task3 = 'not a task';
    const error = parseError(raw);
    expect(error.workflow).to.equal(TASKCHAIN_NAME);
    expect(error.problems).to.have.length(3);
    expect(error.problems.join('\n'))
      .to.match(/^TotalInputEvents: /m)
      .and.to.match(/^RequestTransition\.0\.UpdateTime: /m)
      .and.to.match(/^Task3: /m);
    expect(error.message).to.contain(`ReqMgr2 document of ${TASKCHAIN_NAME} is not usable`);
  });

  it('rejects a Task1 with a malformed lumi mask', () => {
    const raw = resubmissionDocument();
    raw.Task1 = { ...(raw.Task1 as object), LumiList: { '382229': [[1, 180, 3]] } };
    expect(parseError(raw).problems.join()).to.match(/^Task1\.LumiList\.382229\.0/);
  });

  it('rejects a document whose _id is not its RequestName, and anything not an object', () => {
    const raw = reRecoDocument();
    raw._id = 'someone_else_240101_000000_1';
    expect(parseError(raw).problems).to.deep.equal([
      `_id someone_else_240101_000000_1 differs from RequestName ${RERECO_NAME}`,
    ]);
    expect(parseError([]).problems).to.deep.equal(['the document is not a JSON object']);
    expect(parseError('<html>502 Bad Gateway</html>').code).to.equal('REQMGR_DOCUMENT_INVALID');
  });

  it('accepts a RequestPriority written as a string of digits', () => {
    const raw = reRecoDocument();
    raw.RequestPriority = '316000';
    expect(parseReqMgrDocument(raw).RequestPriority).to.equal(316000);
  });
});
