/**
 * Entry point of the embedded CouchDB child process: runs pouchdb-server with the
 * arguments it was given, and exits when the parent goes away (the IPC channel closes
 * even when the parent is SIGKILLed), so no server outlives the process that started it.
 */
import { createRequire } from 'node:module';

process.on('disconnect', () => process.exit(0));
createRequire(import.meta.url)('pouchdb-server/lib/index.js');
