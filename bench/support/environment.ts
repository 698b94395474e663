/**
 * Where figures were measured: the machine, Node, the CouchDB (flavour and version from
 * `GET /`), and the code (commit, and whether product folders had uncommitted changes).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { CouchTarget } from '../../couch/connection.js';
import { PRODUCT_FOLDERS } from './build-fingerprint.js';

export interface Environment {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  os: string;
  couch: string;
  code: string;
}

export async function describeEnvironment(
  couch: CouchTarget,
  embedded: boolean,
  repository: string,
): Promise<Environment> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    couch: `${await couchFlavour(couch)}${embedded ? ' (embedded, data on disk)' : ''}`,
    code: codeVersion(repository),
  };
}

function codeVersion(repository: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', repository, ...args], { encoding: 'utf8' }).trim();
  try {
    const changed = git('status', '--porcelain', '--', ...PRODUCT_FOLDERS);
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed === '' ? '' : ' with uncommitted changes in product code'}`;
  } catch {
    return 'unknown code version (no git)';
  }
}

async function couchFlavour(couch: CouchTarget): Promise<string> {
  const response = await fetch(`${couch.url}/`, {
    headers: couch.authHeader ? { authorization: couch.authHeader } : {},
  });
  const welcome = (await response.json()) as {
    couchdb?: string;
    'express-pouchdb'?: string;
    version?: string;
    vendor?: { name?: string };
  };
  if (welcome['express-pouchdb'] !== undefined) return `pouchdb-server ${welcome.version ?? '?'}`;
  if (welcome.couchdb !== undefined)
    return `Apache CouchDB ${welcome.version ?? '?'}${welcome.vendor?.name && welcome.vendor.name !== 'The Apache Software Foundation' ? ` (${welcome.vendor.name})` : ''}`;
  return `unknown CouchDB (${JSON.stringify(welcome).slice(0, 80)})`;
}

export function describeMachine(environment: Environment): string {
  return `${environment.cpu}, ${environment.cores} cores, ${environment.memoryGb} GB RAM, ${environment.os}, Node ${environment.node}, ${environment.couch}, ${environment.code ?? 'unknown code version'}`;
}
