/**
 * Synthetic workflow documents for load checks: deterministic in `i`, shaped like what
 * the updater writes (three output datasets, four status transitions, `historyLength`
 * history entries), about 4–6 KB each with 10 entries.
 */
export function syntheticWorkflow(
  i: number,
  now: number,
  historyLength: number,
): Record<string, unknown> {
  const n = String(i).padStart(7, '0');
  const campaign = ['RunIISummer20UL18', 'Run3Summer22EE', 'Run3Winter24', 'RunIII2024Summer24'][
    i % 4
  ] as string;
  const group = ['HIG', 'EXO', 'SMP', 'TOP', 'BPH', 'SUS'][i % 6] as string;
  const prepid = `${group}-${campaign}GS-${String(i % 100000).padStart(5, '0')}`;
  const date = `${String(20 + (i % 5)).padStart(2, '0')}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`;
  const name = `pdmvserv_task_${prepid}__v1_T_${date}_${String(i % 240000).padStart(6, '0')}_${n.slice(-4)}`;
  const primary = `/Synthetic${group}Sample_${n}_TuneCP5_13p6TeV-pythia8`;
  const outputs = [
    `${primary}/${campaign}GS-140X_v1-v2/GEN-SIM`,
    `${primary}/${campaign}DRPremix-140X_v1-v2/AODSIM`,
    `${primary}/${campaign}MiniAODv4-140X_v1-v2/MINIAODSIM`,
  ];
  const total = 100_000 + (i % 50) * 10_000;
  const history = Array.from({ length: historyLength }, (_, h) => ({
    Time: now - (historyLength - h) * 3600,
    Datasets: Object.fromEntries(
      outputs.map((dataset, d) => [
        dataset,
        {
          Type: h === historyLength - 1 && d === 0 ? 'VALID' : 'PRODUCTION',
          Events: Math.floor((total * (h + 1)) / historyLength / (d + 1)),
          Size: (h + 1) * 1_000_000_000,
        },
      ]),
    ),
  }));
  return {
    _id: name,
    RequestName: name,
    RequestType: i % 3 === 0 ? 'StepChain' : 'TaskChain',
    PrepID: `task_${prepid}`,
    RequestPriority: 80000 + (i % 7) * 5000,
    RequestTransition: [
      { Status: 'new', UpdateTime: now - 30 * 86400 },
      { Status: 'assignment-approved', UpdateTime: now - 29 * 86400 },
      { Status: 'assigned', UpdateTime: now - 28 * 86400 },
      { Status: 'running-open', UpdateTime: now - 27 * 86400 },
    ],
    Campaigns: [`${campaign}GS`, `${campaign}DRPremix`, `${campaign}MiniAODv4`],
    Requests: [prepid, `${group}-${campaign}DRPremix-${String(i % 100000).padStart(5, '0')}`],
    OutputDatasets: outputs,
    ProcessingString: '140X_mcRun3_2024_realistic_v26',
    CMSSWVersion: 'CMSSW_14_0_19',
    AcquisitionEra: `${campaign}GS`,
    SizePerEvent: 1500,
    TimePerEvent: 12.5,
    TotalEvents: total,
    TotalInputLumis: -1,
    EventNumberHistory: history,
    LastUpdate: now - (i % 3600),
  };
}
