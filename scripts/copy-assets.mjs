// Copies the files tsc does not emit (design documents, static web assets) into the
// build folder, so that build/ runs on its own: `cd build && node cli.js --action setup`.
import { cpSync, existsSync } from 'node:fs';

const assets = ['couch/design-docs', 'server/static', 'server/views'];
for (const dir of assets) {
  if (existsSync(dir)) cpSync(dir, `build/${dir}`, { recursive: true });
}
