/** What the runner hands every benchmark. */
import type { Scale, ScaleName } from '../scales.js';

export interface BenchContext {
  scaleName: ScaleName;
  scale: Scale;
  /** Folder for CPU profiles of the workers, when asked for with --profile. */
  profileDir: string | undefined;
  /** Progress for the person watching (stderr). */
  log(message: string): void;
}
