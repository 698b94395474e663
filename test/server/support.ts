/**
 * A running website over fresh test databases filled with the given workflows, plus
 * small HTTP helpers. The website reads with an anonymous connection, as in production.
 */
import { expect } from 'chai';
import { SettingsRepository } from '../../couch/settings.js';
import type { StoredWorkflow } from '../../workflow/documents.js';
import { WorkflowRepository } from '../../couch/workflows.js';
import { createLogger } from '../../lib/logger.js';
import type { ServerTuning } from '../../server/http/app.js';
import { startWebsite } from '../../compose.js';
import type { RunningWebsite } from '../../server/http/website.js';
import type { UpdateWorkflow } from '../../server/http/workflow-updates.js';
import { setUpTestDatabases } from '../support/couch.js';

export interface TestWebsite extends RunningWebsite {
  /** Admin access to the website's requests database (to write fixtures). */
  workflows: WorkflowRepository;
  /** Admin access to the website's settings database. */
  settings: SettingsRepository;
  prefix: string;
  get(path: string, init?: RequestInit): Promise<Response>;
}

export interface TestWebsiteOptions {
  prefix?: string;
  updateToken?: string;
  updateWorkflow?: UpdateWorkflow;
  tuning?: ServerTuning;
  lastUpdateRun?: number;
  trustProxy?: string | number;
  /** Folder for the index snapshot (none by default). */
  snapshotDir?: string;
  /** The website's clock (default: the system clock). */
  clock?: () => number;
}

export async function startTestWebsite(
  label: string,
  docs: StoredWorkflow[],
  options: TestWebsiteOptions = {},
): Promise<TestWebsite> {
  const { couch, names } = await setUpTestDatabases(label);
  const workflows = new WorkflowRepository(couch.server, names.requests);
  for (const outcome of await workflows.writeMany(docs)) {
    expect(outcome.ok, `writing fixture ${outcome.id}`).to.equal(true);
  }
  const settings = new SettingsRepository(couch.server, names.settings);
  if (options.lastUpdateRun !== undefined) {
    const lastUpdateRun = options.lastUpdateRun;
    await settings.update((s) => ({
      ...s,
      last_dbs_update_date: lastUpdateRun,
    }));
  }
  const prefix = options.prefix ?? '/stats';
  const website = await startWebsite({
    reader: { url: couch.admin.url },
    databases: names,
    host: '127.0.0.1',
    port: 0,
    prefix,
    updateToken: options.updateToken,
    updateWorkflow: options.updateWorkflow,
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    pollIntervalMs: 200,
    tuning: options.tuning,
    trustProxy: options.trustProxy,
    snapshotDir: options.snapshotDir,
    clock: options.clock,
  });
  await website.ready;
  return {
    ...website,
    workflows,
    settings,
    prefix,
    get: (path, init) => fetch(`${website.origin}${path}`, { redirect: 'manual', ...init }),
  };
}

/** The `<article>` of one workflow in a list page. */
export function blockOf(page: string, name: string): string {
  const escapedName = name
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
  const block = page
    .split('<article class="workflow">')
    .find((part) => part.includes(`>${escapedName}</a></h2>`));
  if (block === undefined) throw new Error(`no block for ${name} in the page`);
  return block.slice(0, block.indexOf('</article>'));
}

/** Names of the workflows a list page shows, in order. */
export function namesOn(page: string): string[] {
  return [...page.matchAll(/<h2 class="wf-name"><a href="[^"]*">([^<]*)<\/a><\/h2>/g)].map((m) =>
    unescapeHtml(m[1] as string),
  );
}

export function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Waits until `check` passes (or `timeoutMs` ends, then fails with its last error). */
export async function eventually(check: () => Promise<unknown>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
