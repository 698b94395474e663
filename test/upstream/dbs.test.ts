/** DBS client against the simulator: access types, summaries, lumi-masked files, changes. */
import { expect } from 'chai';
import type { Simulator } from '../../sim/index.js';
import { DATASETS_PER_POST } from '../../updater/upstream/index.js';
import { startTestSimulator } from '../sim/support.js';
import { clientFor, type TestClient } from './support.js';

describe('upstream DBS client', () => {
  let sim: Simulator;
  let client: TestClient;

  before(async () => {
    sim = await startTestSimulator({ seed: 4, workflows: 400, active: 50 });
    client = clientFor(sim);
  });
  after(async () => {
    await client.upstream.close();
    await sim.close();
  });

  it('gives access types of known datasets, in POSTs of at most 100', async () => {
    const known = sim.world.datasetsModifiedAfter(0).slice(0, 150);
    expect(known).to.have.length(150);
    const unknown = ['/No/Such-v1/AODSIM'];
    const before = sim.counts.datasetlist ?? 0;
    const answer = await client.upstream.dbs.datasetList([...known.map((d) => d.name), ...unknown]);
    expect(sim.counts.datasetlist).to.equal(before + Math.ceil(151 / DATASETS_PER_POST));
    expect(new Map(answer.map((a) => [a.dataset, a.dataset_access_type]))).to.deep.equal(
      new Map(known.map((d) => [d.name, d.accessType])),
    );
    expect(await client.upstream.dbs.datasetList([])).to.deep.equal([]);
  });

  it('sums events, sizes and lumis, honouring validFileOnly', async () => {
    const name = '/Sum/Test-v1/MINIAODSIM';
    sim.world.setDataset(name, {
      accessType: 'PRODUCTION',
      files: 6,
      eventsPerFile: 250,
      lumisPerFile: 4,
      invalidFiles: 1,
    });
    expect(await client.upstream.dbs.fileSummaries(name, false)).to.deep.equal({
      num_event: 1500,
      file_size: 1_500_000,
      num_lumi: 24,
      num_file: 6,
      num_block: 1,
    });
    expect(await client.upstream.dbs.fileSummaries(name, true)).to.include({
      num_event: 1250,
      num_lumi: 20,
      num_file: 5,
    });
    expect(await client.upstream.dbs.fileSummaries('/No/Such-v1/AODSIM', true)).to.deep.equal({
      num_event: 0,
      file_size: 0,
      num_lumi: 0,
      num_file: 0,
      num_block: 0,
    });
  });

  it('finds the files of a ReReco lumi mask, one row per file with whole-file events', async () => {
    const rereco = [...sim.world.list()]
      .map((s) => sim.world.request(s.name))
      .find(
        (doc) => doc?.RequestType === 'ReReco' && Object.keys(doc.LumiList as object).length > 0,
      );
    const mask = rereco?.LumiList as Record<string, Array<[number, number]>>;
    const input = sim.world.dataset(rereco?.InputDataset as string);
    for (const [run, ranges] of Object.entries(mask)) {
      const rows = await client.upstream.dbs.files(
        rereco?.InputDataset as string,
        Number(run),
        ranges,
        false,
      );
      const expected = (input?.files() ?? []).filter(
        (f) =>
          f.run === Number(run) && ranges.some(([a, b]) => a <= f.lastLumi && b >= f.firstLumi),
      );
      expect(rows.map((r) => [r.logical_file_name, r.event_count, r.run_num])).to.deep.equal(
        expected.map((f) => [f.lfn, f.events, f.run]),
      );
      expect(rows.length).to.be.above(0);
    }
    expect(
      await client.upstream.dbs.files(rereco?.InputDataset as string, 1, [], false),
    ).to.deep.equal([]);
  });

  it('lists datasets modified since a time, any access type', async () => {
    const t0 = sim.world.now();
    expect(await client.upstream.dbs.datasetsModifiedSince(t0)).to.deep.equal([]);
    sim.world.advance(5 * 86400);
    const changed = await client.upstream.dbs.datasetsModifiedSince(t0);
    expect(changed).to.deep.equal(sim.world.datasetsModifiedAfter(t0).map((d) => d.name));
    expect(changed.length).to.be.above(0);
  });
});
