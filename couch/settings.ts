/** The `settings` database: the single `all_settings` document of the update run. */
import type { DocumentScope, ServerScope } from 'nano';
import { DocumentStore } from './documents.js';
import { Stats2Error } from '../lib/errors.js';
import { defaultSettings, SETTINGS_ID, type Settings } from '../workflow/documents.js';

export class SettingsRepository {
  private readonly store: DocumentStore<Settings>;

  constructor(server: ServerScope, dbName: string) {
    this.store = new DocumentStore(server.use<Settings>(dbName) as DocumentScope<Settings>, dbName);
  }

  /** The stored settings, with defaults for whatever an older database lacks. */
  async get(): Promise<Settings> {
    const stored = await this.store.get(SETTINGS_ID);
    return { ...defaultSettings(), ...(stored ?? {}), _id: SETTINGS_ID };
  }

  /** Applies `change` to the current settings and saves them, retrying on conflict. */
  async update(change: (current: Settings) => Settings): Promise<Settings> {
    let saved: Settings | undefined;
    const [outcome] = await this.store.upsertMany([SETTINGS_ID], (_id, current) => {
      saved = change({ ...defaultSettings(), ...(current ?? {}), _id: SETTINGS_ID });
      return saved;
    });
    if (!outcome?.ok) {
      throw new Stats2Error(
        `saving ${SETTINGS_ID} failed: ${outcome ? `${outcome.error} ${outcome.reason}` : 'no answer'}`,
        { code: 'SETTINGS_WRITE' },
      );
    }
    return { ...(saved as Settings), _rev: outcome.rev };
  }
}
