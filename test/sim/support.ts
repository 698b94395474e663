/** Starting simulators in tests: certificates are generated once per test process. */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../sim/index.js';

let certificateDir: Promise<string> | undefined;

/** One directory per test process, so RSA keys are generated once, not per simulator. */
export function sharedCertificateDir(): Promise<string> {
  certificateDir ??= mkdtemp(path.join(tmpdir(), 'stats2-sim-test-')).then((dir) => {
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  });
  return certificateDir;
}

/**
 * Tests get the same world on every run: a fixed simulated start (the simulator's own
 * default is the wall clock). A test about the wall clock passes `startTime` itself.
 */
export const TEST_START_TIME = Date.UTC(2025, 0, 1) / 1000;

export async function startTestSimulator(
  options: Partial<SimulatorOptions> = {},
): Promise<Simulator> {
  return startSimulator({
    seed: 1,
    workflows: 300,
    active: 40,
    dir: await sharedCertificateDir(),
    startTime: TEST_START_TIME,
    ...options,
  });
}
