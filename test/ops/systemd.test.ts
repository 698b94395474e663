import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RENDERER = path.resolve(BUILD, '../scripts/render-systemd.mjs');
const UNITS = [
  'stats2-compact.service',
  'stats2-compact.timer',
  'stats2-update.service',
  'stats2-update.timer',
  'stats2-web.service',
];

function render(out: string, ...flags: string[]) {
  return spawnSync(process.execPath, [RENDERER, '--out', out, '--install-dir', BUILD, ...flags], {
    encoding: 'utf8',
  });
}

describe('systemd units', function () {
  let dir: string;
  let units: Record<string, string>;

  before(function () {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stats2-units-'));
    const rendered = render(
      dir,
      '--data-dir',
      path.join(dir, 'data'),
      '--config-dir',
      path.join(dir, 'etc'),
    );
    expect(rendered.status, rendered.stderr).to.equal(0);
    units = Object.fromEntries(
      readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]),
    );
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every template with real paths and no placeholder left', () => {
    expect(Object.keys(units).sort()).to.deep.equal(UNITS);
    for (const [name, text] of Object.entries(units)) expect(text, name).not.to.match(/@[A-Z_]+@/);
    expect(units['stats2-web.service']).to.include(
      `ExecStart=${process.execPath} --max-old-space-size=384 ${BUILD}/main.js`,
    );
    expect(units['stats2-web.service']).to.include(`ReadWritePaths=${dir}/data`);
    expect(units['stats2-update.service']).to.include(
      `LoadCredential=db-auth-header:${dir}/etc/credentials/db-auth-header`,
    );
  });

  it('passes systemd-analyze verify without a warning', function () {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      console.log(
        '      systemd-analyze is not installed (Debian: apt-get install -y systemd); unit verification skipped',
      );
      this.skip();
    }
    const files = UNITS.map((name) => path.join(dir, name));
    const verify = spawnSync('systemd-analyze', ['verify', '--man=no', ...files], {
      encoding: 'utf8',
    });
    expect(verify.status, verify.stderr).to.equal(0);
    // Unknown keys and bad values are only warnings with exit status 0.
    expect(verify.stderr.trim()).to.equal('');
  });

  it('runs the website as a non-root user, restarted on failure, hardened, with no secret in a unit', () => {
    const web = units['stats2-web.service'] as string;
    for (const line of [
      'User=stats2',
      'Restart=on-failure',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'PrivateTmp=yes',
      'CapabilityBoundingSet=',
      'SystemCallFilter=@system-service',
    ]) {
      expect(web.split('\n'), line).to.include(line);
    }
    for (const [name, text] of Object.entries(units)) {
      expect(text, name).not.to.match(
        /Basic [A-Za-z0-9+/=]{8,}|:\/\/[^/\s]+:[^@\s]+@|SECRET=|TOKEN=/,
      );
    }
  });

  it('points STATS_DATA_DIR at the one writable folder, and runs the batch jobs at low priority', () => {
    for (const name of UNITS.filter((unit) => unit.endsWith('.service'))) {
      const lines = (units[name] as string).split('\n');
      expect(lines, name).to.include(`Environment=STATS_DATA_DIR=${dir}/data`);
      expect(lines, name).to.include(`ReadWritePaths=${dir}/data`);
    }
    for (const name of ['stats2-update.service', 'stats2-compact.service']) {
      const lines = (units[name] as string).split('\n');
      expect(lines, name).to.include('IOSchedulingClass=idle');
      expect(
        lines.some((line) => /^Nice=(1\d|[1-9])$/.test(line)),
        name,
      ).to.equal(true);
    }
    expect((units['stats2-update.service'] as string).split('\n')).to.include(
      'SuccessExitStatus=3',
    );
  });

  it('lets systemd create a data folder under /var/lib (StateDirectory=), and only there', () => {
    const varLib = path.join(dir, 'var-lib');
    expect(render(varLib, '--data-dir', '/var/lib/stats2').status).to.equal(0);
    for (const name of ['stats2-update.service', 'stats2-compact.service', 'stats2-web.service']) {
      const lines = readFileSync(path.join(varLib, name), 'utf8').split('\n');
      expect(lines, name).to.include('StateDirectory=stats2');
      expect(lines, name).to.include('Environment=STATS_DATA_DIR=/var/lib/stats2');
      expect(
        (units[name] as string).split('\n').some((line) => line.startsWith('StateDirectory=')),
      ).to.equal(false);
    }
    rmSync(varLib, { recursive: true, force: true });
  });

  it('refuses a relative path with a clear message', () => {
    const result = render(path.join(dir, 'never'), '--data-dir', 'data');
    expect(result.status).to.equal(2);
    expect(result.stderr).to.include('--data-dir must be an absolute path');
  });
});
