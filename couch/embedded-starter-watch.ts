/**
 * Runs in a worker thread of the embedded CouchDB process while no process has taken a
 * lease yet: ends the whole process as soon as its starter is gone. A thread, because the
 * main thread is busy loading pouchdb-server's modules for a second or more (longer on a
 * busy machine) and could not notice in time.
 */
import { workerData } from 'node:worker_threads';
import { processAlive } from './embedded-protocol.js';

const { starterPid } = workerData as { starterPid: number };
setInterval(() => {
  if (!processAlive(starterPid)) process.kill(process.pid, 'SIGKILL');
}, 100);
