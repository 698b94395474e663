/**
 * Entry point of the embedded CouchDB process: `node embedded-child.js '<ServerOptions as JSON>'`.
 *
 * The first thing it does, before loading anything heavy, is have a thread watch the
 * process that started it: until some process takes a lease, the server lives only as
 * long as its starter. A starter killed within milliseconds of spawning it therefore
 * leaves nothing behind, however long the modules below take to load. After the first
 * lease, the leases decide (embedded-server.ts).
 */
import { Worker } from 'node:worker_threads';
import type { ServerOptions } from './embedded-protocol.js';

const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
const starterWatch = new Worker(new URL('./embedded-starter-watch.js', import.meta.url), {
  workerData: { starterPid: options.starterPid },
});
starterWatch.unref();

const { runEmbeddedServer } = await import('./embedded-server.js');
await runEmbeddedServer(options, () => void starterWatch.terminate());
