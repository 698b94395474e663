/**
 * Order of a workflow's output datasets
 * (docs/workflow-document.md#output-datasets-and-their-order): flattened, then sorted by
 * data tier. The website shows the first dataset as the workflow's main one, so the order
 * matters.
 */

/** Data tiers from first to last; a tier not listed sorts before all of them. */
export const TIER_PRIORITY: readonly string[] = [
  'USER',
  'FEVT',
  'RAW-HLT',
  'ALCARECO',
  'ALCAPROMPT',
  'HLT',
  'DQM',
  'DQMIO',
  'DQMROOT',
  'GEN-SIM-RECODEBUG',
  'GEN-SIM-DIGI-RECODEBUG',
  'GEN-SIM-RAWDEBUG',
  'GEN-SIM-RAW-HLTDEBUG',
  'GEN-SIM-RAW-HLTDEBUG-RECO',
  'GEN-SIM-RAW-HLTDEBUG-RECODEBUG',
  'GEN-SIM-DIGI-RAW-HLTDEBUG-RECO',
  'GEN-SIM-DIGI-RAW-HLTDEBUG',
  'GEN-SIM-DIGI-HLTDEBUG-RECO',
  'GEN-SIM-DIGI-HLTDEBUG',
  'FEVTDEBUGHLT',
  'GEN-RAWDEBUG',
  'RAWDEBUG',
  'RECODEBUG',
  'HLTDEBUG',
  'RAWRECOSIMHLT',
  'RAW-RECOSIMHLT',
  'RECOSIMHLT',
  'FEVTHLTALL',
  'PREMIXRAW',
  'PREMIX-RAW',
  'RAW',
  'RAW-RECO',
  'LHE',
  'GEN',
  'GEN-RAW',
  'GEN-SIM',
  'SIM',
  'DIGI',
  'DIGI-RECO',
  'RECO',
  'RAWAODSIM',
  'GEN-SIM-RECO',
  'GEN-SIM-RAW',
  'GEN-SIM-RAW-HLT',
  'GEN-SIM-RAW-RECO',
  'GEN-SIM-DIGI',
  'GEN-SIM-DIGI-RECO',
  'GEN-SIM-DIGI-RAW',
  'GEN-SIM-DIGI-RAW-RECO',
  'AOD',
  'AODSIM',
  'MINIAOD',
  'MINIAODSIM',
  'NANOAOD',
  'NANOAODSIM',
];

const UNKNOWN_TIER_RANK = -1;
const TIER_RANK = new Map(TIER_PRIORITY.map((tier, rank) => [tier, rank]));

/** Old documents nest the list (one sub-list per task): `[['/A/B/RECO'], ['/A/B/ALCARECO']]`. */
export type NestedDatasets = ReadonlyArray<string | NestedDatasets>;

export function flattenDatasets(datasets: NestedDatasets): string[] {
  return datasets.flatMap((item) => (typeof item === 'string' ? [item] : flattenDatasets(item)));
}

/** The tier is the last `/` segment of `/<primary>/<processed>/<tier>`. */
export function tierRank(dataset: string): number {
  const tier = dataset.slice(dataset.lastIndexOf('/') + 1);
  return TIER_RANK.get(tier) ?? UNKNOWN_TIER_RANK;
}

/** A new array sorted by tier rank; datasets of equal rank keep their order (the sort is stable). */
export function sortDatasetsByTier(datasets: readonly string[]): string[] {
  return [...datasets].sort((a, b) => tierRank(a) - tierRank(b));
}
