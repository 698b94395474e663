import { expect } from 'chai';
import { LookupAnswers, lookupKey } from '../../updater/lookups.js';

describe('lookupKey', () => {
  it('depends on what changes the answer, not on key order', () => {
    const dataset = '/JetMET0/Run2024F-v1/RAW';
    expect(lookupKey({ kind: 'fileSummary', dataset, validFileOnly: true })).not.to.equal(
      lookupKey({ kind: 'fileSummary', dataset, validFileOnly: false }),
    );
    const answers = new LookupAnswers().set(
      { kind: 'lumiMaskFiles', dataset, lumiList: { '382229': [[1, 180]], '382250': [[5, 97]] } },
      { ok: true, value: [] },
    );
    expect(
      answers.has({
        lumiList: { '382250': [[5, 97]], '382229': [[1, 180]] },
        dataset,
        kind: 'lumiMaskFiles',
      }),
    ).to.equal(true);
    expect(
      answers.has({ kind: 'lumiMaskFiles', dataset, lumiList: { '382229': [[1, 180]] } }),
    ).to.equal(false);
  });
});
