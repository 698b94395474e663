import { expect } from 'chai';
import { isLumisMode } from '../../workflow/lumis-mode.js';

describe('isLumisMode', () => {
  const lumiList = { '382229': [[1, 180]] as Array<[number, number]> };

  it('holds for ReReco and Resubmission, any case, with a lumi mask and input lumis', () => {
    expect(
      isLumisMode({ RequestType: 'ReReco', LumiList: lumiList, TotalInputLumis: 180 }),
    ).to.equal(true);
    expect(
      isLumisMode({ RequestType: 'RESUBMISSION', LumiList: lumiList, TotalInputLumis: 1 }),
    ).to.equal(true);
  });

  it('does not hold for other types, an empty mask, or no lumis (missing, null, −1, 0)', () => {
    expect(
      isLumisMode({ RequestType: 'TaskChain', LumiList: lumiList, TotalInputLumis: 180 }),
    ).to.equal(false);
    expect(isLumisMode({ RequestType: 'ReReco', LumiList: {}, TotalInputLumis: 180 })).to.equal(
      false,
    );
    expect(isLumisMode({ RequestType: 'ReReco', LumiList: null, TotalInputLumis: 180 })).to.equal(
      false,
    );
    for (const TotalInputLumis of [undefined, null, -1, 0]) {
      expect(isLumisMode({ RequestType: 'ReReco', LumiList: lumiList, TotalInputLumis })).to.equal(
        false,
      );
    }
    expect(isLumisMode({ LumiList: lumiList, TotalInputLumis: 180 })).to.equal(false);
  });
});
