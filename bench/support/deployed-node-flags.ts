/**
 * The Node flags a systemd unit of systemd/ starts the product with (between `@NODE@` and
 * the script in its ExecStart), so that a benchmark's worker runs as the product is run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SYSTEMD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../systemd');

export type ProductUnit = 'stats2-web.service' | 'stats2-update.service';

export function deployedNodeFlags(unit: ProductUnit): string[] {
  const text = readFileSync(path.join(SYSTEMD_DIR, unit), 'utf8');
  const execStart = /^ExecStart=@NODE@((?: --?[\w-]+(?:=\S+)?)*) \S+\.js\b/m.exec(text);
  if (!execStart)
    throw new Error(
      `systemd/${unit}: no "ExecStart=@NODE@ [flags] <script>.js" line to take the Node flags from`,
    );
  return (execStart[1] ?? '').trim().split(/\s+/).filter(Boolean);
}

/**
 * The unit's `Environment=NAME=VALUE` lines that shape the process itself (such as
 * MALLOC_ARENA_MAX), not the product's own settings (STATS_*, NODE_ENV) nor values with
 * placeholders or systemd specifiers (paths of the installation).
 */
export function deployedEnvironment(unit: ProductUnit): Record<string, string> {
  const text = readFileSync(path.join(SYSTEMD_DIR, unit), 'utf8');
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/^Environment=([A-Z_]+)=(\S+)$/gm)) {
    const [, name, value] = match as unknown as [string, string, string];
    if (!/[%@]/.test(value) && !name.startsWith('STATS_') && name !== 'NODE_ENV') env[name] = value;
  }
  return env;
}

/** For a report: the flags, and where they come from. */
export function describeFlags(unit: ProductUnit): string {
  const flags = deployedNodeFlags(unit);
  const env = Object.entries(deployedEnvironment(unit)).map(([name, value]) => `${name}=${value} `);
  return `${env.join('')}${flags.length === 0 ? 'no Node flags' : `node ${flags.join(' ')}`}, as systemd/${unit} runs it`;
}
