/**
 * Runs the upstream simulator until SIGINT/SIGTERM:
 *
 *   node build/sim/cli.js --seed 1 --workflows 2000 --active 200 [--port 0] [--latency-ms 0]
 *     [--dir .stats2/sim] [--advance-every 60 [--advance-by 3600]]
 *
 * Prints the base URLs, the certificate paths and the environment to point stats2 at it.
 */
import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { plural } from '../lib/plural.js';
import { startSimulator } from './index.js';

const argv = await yargs(hideBin(process.argv))
  .scriptName('stats2-sim')
  .usage('$0 [options]: a local cmsweb / DBS / CERN SSO / PdmV stand-in over mutual TLS')
  .option('seed', { type: 'number', default: 1, describe: 'same seed, same world' })
  .option('workflows', {
    type: 'number',
    default: 2000,
    describe: 'initial number of ReqMgr2 requests',
  })
  .option('active', {
    type: 'number',
    default: 200,
    describe: 'how many of them are active (WMStats)',
  })
  .option('port', {
    type: 'number',
    default: 0,
    describe: 'first port (five consecutive ports); 0 = any free ports',
  })
  .option('latency-ms', { type: 'number', default: 0, describe: 'latency added to every answer' })
  .option('dir', {
    type: 'string',
    default: '.stats2/sim',
    describe: 'where certificates are kept (reused when present)',
  })
  .option('advance-every', {
    type: 'number',
    default: 0,
    describe: 'advance simulated time every N wall-clock seconds (0 = never)',
  })
  .option('advance-by', {
    type: 'number',
    describe: 'simulated seconds per advance (default: same as --advance-every)',
  })
  .option('token-lifetime', {
    type: 'number',
    default: 1200,
    describe: 'expires_in of SSO tokens, seconds',
  })
  .check((args) => {
    if (!Number.isInteger(args.workflows) || args.workflows < 0)
      throw new Error('--workflows must be a whole number >= 0, e.g. 2000');
    if (!Number.isInteger(args.active) || args.active < 0 || args.active > args.workflows) {
      throw new Error('--active must be a whole number between 0 and --workflows, e.g. 200');
    }
    if (args['advance-every'] < 0) throw new Error('--advance-every must be >= 0 seconds');
    return true;
  })
  .strict()
  .help()
  .parseAsync();

const started = Date.now();
const sim = await startSimulator({
  seed: argv.seed,
  workflows: argv.workflows,
  active: argv.active,
  // Absolute, so that the printed paths work from any folder.
  dir: path.resolve(argv.dir),
  port: argv.port,
  latencyMs: argv['latency-ms'],
  tokenLifetimeSeconds: argv['token-lifetime'],
});
// Stoppable from the moment it serves, before anything is printed that a caller may wait for.
let timer: NodeJS.Timeout | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (timer !== undefined) clearInterval(timer);
    console.log(`${signal}: closing`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}

const heapMb = (process.memoryUsage().heapUsed / 1e6).toFixed(0);
console.log(
  `stats2 simulator: seed ${argv.seed}, ${argv.workflows} workflows (${argv.active} active), ready in ${Date.now() - started} ms, heap ${heapMb} MB`,
);
console.log('');
console.log('Base URLs');
for (const [name, url] of Object.entries(sim.urls)) console.log(`  ${name.padEnd(11)} ${url}`);
console.log('');
console.log('Certificates');
for (const [name, file] of Object.entries(sim.tls)) console.log(`  ${name.padEnd(15)} ${file}`);
console.log('');
console.log('Environment for stats2 (secrets included: this is a local simulator)');
const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
for (const [name, value] of Object.entries({ ...sim.env, STATS_CLOCK_URL: sim.urls.clock }))
  console.log(`export ${name}=${quote(value)}`);
console.log('');
console.log(
  `Try: curl --cacert ${sim.tls.caFile} --cert ${sim.tls.clientCertFile} --key ${sim.tls.clientKeyFile} '${sim.urls.cmsweb}/couchdb/reqmgr_workload_cache/_changes?since=now'`,
);

if (argv['advance-every'] > 0) {
  const step = argv['advance-by'] ?? argv['advance-every'];
  timer = setInterval(() => {
    const summary = sim.world.advance(step);
    console.log(
      `advanced to ${new Date(summary.to * 1000).toISOString()}: ${plural(summary.transitions, 'transition')}, ` +
        `${summary.created} new, ${summary.deleted} deleted, ${plural(summary.priorityChanges, 'priority change')}`,
    );
  }, argv['advance-every'] * 1000);
}
