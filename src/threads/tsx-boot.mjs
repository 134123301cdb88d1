// The entry of a worker thread started on a TypeScript module, which happens only under the test
// runner (the product runs the compiled `dist/`). A worker inherits no loader hooks from its parent,
// so this registers tsx's loader (a development dependency) and imports `workerData.entry`.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
