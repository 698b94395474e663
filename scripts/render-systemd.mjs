#!/usr/bin/env node
// Renders the systemd unit templates of systemd/ into a folder, filling in the paths:
//   node scripts/render-systemd.mjs --out /tmp/units [--install-dir /opt/stats2/build]
//     [--data-dir /var/lib/stats2] [--config-dir /etc/stats2] [--user stats2] [--node /usr/bin/node]
// Needs nothing but node (no npm install): run it from a checkout on the target host.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const templates = path.join(root, 'systemd');

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    'install-dir': { type: 'string', default: path.join(root, 'build') },
    'data-dir': { type: 'string', default: '/var/lib/stats2' },
    'config-dir': { type: 'string', default: '/etc/stats2' },
    user: { type: 'string', default: 'stats2' },
    node: { type: 'string', default: process.execPath },
    help: { type: 'boolean', default: false },
  },
});

if (values.help || !values.out) {
  console.error(
    'usage: node scripts/render-systemd.mjs --out DIR [--install-dir DIR] [--data-dir DIR] [--config-dir DIR] [--user NAME] [--node PATH]',
  );
  process.exit(values.help ? 0 : 2);
}

const dataDir = absolutePath('--data-dir', values['data-dir']);
const placeholders = {
  '@INSTALL_DIR@': absolutePath('--install-dir', values['install-dir']),
  '@DATA_DIR@': dataDir,
  '@STATE_DIRECTORY@': stateDirectory(dataDir),
  '@CONFIG_DIR@': absolutePath('--config-dir', values['config-dir']),
  '@NODE@': absolutePath('--node', values.node),
  '@USER@': userName(values.user),
};

mkdirSync(values.out, { recursive: true });
for (const name of readdirSync(templates)
  .filter((file) => /\.(service|timer)$/.test(file))
  .sort()) {
  let text = readFileSync(path.join(templates, name), 'utf8');
  for (const [placeholder, value] of Object.entries(placeholders))
    text = text.split(placeholder).join(value);
  const left = text.match(/@[A-Z_]+@/);
  if (left) fail(`${name} holds the placeholder ${left[0]}, which this script does not know`);
  writeFileSync(path.join(values.out, name), text);
  console.log(path.join(values.out, name));
}

// Unit files give `%` and whitespace meanings of their own: keep paths free of them.
function absolutePath(flag, value) {
  if (!path.isAbsolute(value)) fail(`${flag} must be an absolute path, got "${value}"`);
  if (/[\s%"'\\]/.test(value))
    fail(`${flag} must not contain spaces, quotes, backslashes or %, got "${value}"`);
  return path.normalize(value).replace(/\/+$/, '') || '/';
}

// systemd creates a folder under /var/lib, owned by the service's user, with StateDirectory=;
// any other data folder must exist beforehand (the README's install creates it).
function stateDirectory(dir) {
  const name = dir.startsWith('/var/lib/') ? dir.slice('/var/lib/'.length) : '';
  return name !== '' && !name.includes('/')
    ? `StateDirectory=${name}\nStateDirectoryMode=0750`
    : `# StateDirectory= only for a data folder directly under /var/lib; ${dir} must exist and be the user's`;
}

function userName(value) {
  if (!/^[a-z_][a-z0-9_-]*$/.test(value))
    fail(`--user must be a system user name such as stats2, got "${value}"`);
  return value;
}

function fail(message) {
  console.error(`render-systemd: ${message}`);
  process.exit(2);
}
