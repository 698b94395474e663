/**
 * Datasets that tests set by hand (`world.setDataset`, `world.addFiles`): explicit file
 * lists with exact event counts, so assertions can use round numbers.
 */
import { uuidOf, type DatasetRecord, type DatasetState, type DbsFile } from '../dbs-content.js';

export interface FileAddition {
  count: number;
  eventsPerFile?: number;
  lumisPerFile?: number;
  bytesPerFile?: number;
  run?: number;
  valid?: boolean;
}

export class EditedDataset {
  constructor(
    public record: DatasetRecord,
    public files: DbsFile[],
  ) {}

  state(): DatasetState {
    const files = [...this.files];
    return { ...this.record, files: () => files };
  }

  /** Appends files after the highest lumi already used in their run. */
  addFiles(addition: FileAddition, now: number): void {
    const run = addition.run ?? 1;
    const lumisPerFile = addition.lumisPerFile ?? 10;
    const eventsPerFile = addition.eventsPerFile ?? 1000;
    let nextLumi =
      1 + this.files.filter((f) => f.run === run).reduce((max, f) => Math.max(max, f.lastLumi), 0);
    for (let i = 0; i < addition.count; i++) {
      const k = this.files.length;
      this.files.push({
        lfn: `/store/sim/${this.record.name.split('/')[1] ?? 'unknown'}/${uuidOf(this.record.name, 'edited', k)}.root`,
        run,
        firstLumi: nextLumi,
        lastLumi: nextLumi + lumisPerFile - 1,
        events: eventsPerFile,
        size: addition.bytesPerFile ?? eventsPerFile * 1000,
        valid: addition.valid ?? true,
        block: Math.floor(k / 10),
        createdAt: now,
      });
      nextLumi += lumisPerFile;
    }
  }
}
