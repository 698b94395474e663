/**
 * A hash of the compiled product code the benchmarks run (build/ of the product folders).
 * Others may rebuild the shared checkout while a long benchmark runs; comparing the hash
 * before and after tells whether its figures could mix two versions of the code.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The folders of the product code the benchmarks measure (in the checkout and in build/). */
export const PRODUCT_FOLDERS = ['updater', 'server', 'couch', 'sim', 'lib', 'commands'];

export function buildFingerprint(buildDir: string): string {
  const hash = createHash('sha256');
  for (const folder of PRODUCT_FOLDERS) {
    const root = path.join(buildDir, folder);
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.js'))
      .sort();
    for (const file of files) hash.update(file).update(readFileSync(path.join(root, file)));
  }
  return hash.digest('hex').slice(0, 12);
}
