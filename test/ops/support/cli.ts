/** Runs the built CLI as a child process against the test CouchDB and given databases. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseNames } from '../../../couch/setup.js';
import type { TestCouch } from '../../support/couch.js';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a CLI child: the test server's admin, these databases, quiet logs. */
export function cliEnv(
  couch: TestCouch,
  names: DatabaseNames,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'COUCHDB_URL',
    'DB_URL',
    'STATS_DB_AUTH_HEADER',
    'STATS_DB_AUTH_HEADER_FILE',
    'COUCHDB_READER_URL',
  ]) {
    delete env[name];
  }
  return {
    ...env,
    COUCHDB_URL: couch.admin.url,
    STATS_DB_AUTH_HEADER: couch.admin.authHeader ?? '',
    REQUESTS_DB: names.requests,
    SETTINGS_DB: names.settings,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 20_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `node cli.js ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The messages of a CLI child's standard output. Not being a terminal, it must hold one
 * JSON record per line (the output rule): a line that is not one fails the test.
 */
export function messages(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let record: { msg?: unknown };
      try {
        record = JSON.parse(line) as { msg?: unknown };
      } catch {
        throw new Error(`a line of the output is not a JSON record: ${line}`);
      }
      if (typeof record.msg !== 'string') throw new Error(`a record without msg: ${line}`);
      return record.msg;
    });
}

/** All messages as one text, for `include` assertions. */
export const messageText = (stdout: string): string => messages(stdout).join('\n');
