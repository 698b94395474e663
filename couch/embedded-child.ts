/**
 * Entry point of the embedded CouchDB process: `node embedded-child.js '<ServerOptions as JSON>'`.
 *
 * The first thing it does, before loading anything heavy, is watch the process that
 * started it: until some process takes a lease, the server lives only as long as its
 * starter. A starter killed within milliseconds of spawning it therefore leaves nothing
 * behind (the modules below take a second or more to load on a busy machine, and a
 * watch registered after them would miss an early death). After the first lease, the
 * leases decide (embedded-server.ts).
 */
import { processAlive, type ServerOptions } from './embedded-protocol.js';

const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
const starterWatch = setInterval(() => {
  if (!processAlive(options.starterPid)) process.exit(0);
}, 100);

const { runEmbeddedServer } = await import('./embedded-server.js');
await runEmbeddedServer(options, () => clearInterval(starterWatch));
