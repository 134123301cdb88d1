// The entry of a worker thread that runs TypeScript. A worker inherits no loader hooks from its
// parent, so this registers tsx's loader (as bin/lectern.js does for the main thread) and then
// imports the module named by `workerData.entry`. Works from the sources and under the test runner.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
