// Copies the files tsc does not emit (design documents, static web assets) into the
// build folder, so that build/ runs on its own: `cd build && node cli.js --action setup`.
// Each folder replaces the built one: a file removed or renamed in the source (a view of a
// design document) must not live on in build/, where setup would still deploy it.
import { cpSync, existsSync, rmSync } from 'node:fs';

const assets = ['couch/design-docs', 'server/static', 'server/views'];
for (const dir of assets) {
  rmSync(`build/${dir}`, { recursive: true, force: true });
  if (existsSync(dir)) cpSync(dir, `build/${dir}`, { recursive: true });
}
