/**
 * A scenario for tests and benchmarks: `count` new running TaskChains whose expected events
 * come from one shared input dataset in DBS, each with its own output. Built from a
 * generated TaskChain of the world, so the documents keep ReqMgr2's shape.
 */
import type { World } from './world.js';

export const SHARED_INPUT = '/SharedInput/Run2026A-v1/RAW';

export function addReadersOfOneInput(world: World, count: number): string[] {
  const template = [...world.list()]
    .map((w) => world.request(w.name))
    .find((doc) => doc?.RequestType === 'TaskChain' && typeof doc.Task1 === 'object');
  if (template === undefined) throw new Error('no TaskChain in the simulated world');
  world.setDataset(SHARED_INPUT, {
    files: 20,
    run: 400000,
    accessType: 'VALID',
    dataType: 'data',
  });
  const {
    TotalInputEvents: _events,
    TotalInputFiles: _files,
    RequestNumEvents: _requested,
    ...rest
  } = template;
  return Array.from({ length: count }, (_, i) => {
    const name = `pdmvserv_SharedInputReader${i}_260601_000000_${1000 + i}`;
    const output = `/SharedInput/Reader${i}-v1/AOD`;
    world.setDataset(output, { files: 3, accessType: 'PRODUCTION' });
    world.upsertRequest({
      ...rest,
      RequestName: name,
      Task1: {
        ...(template.Task1 as Record<string, unknown>),
        InputDataset: SHARED_INPUT,
        LumiList: {},
        RequestNumEvents: null,
      },
      OutputDatasets: [output],
      RequestStatus: 'running-open',
    });
    return name;
  });
}
