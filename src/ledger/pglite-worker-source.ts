/**
 * The code of the thread that owns the PGlite instance, as plain JavaScript (Node runs it with
 * `eval: true`, so it needs no build step from src/ or lib/). It answers { id, op, text, params } with
 * { id, rows } or { id, error }, one request at a time in arrival order.
 */
export const PGLITE_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);

function plainError(error) {
  const source = error && typeof error === 'object' ? error : {};
  return {
    message: typeof source.message === 'string' ? source.message : String(error),
    code: typeof source.code === 'string' ? source.code : undefined,
    severity: typeof source.severity === 'string' ? source.severity : undefined,
  };
}

async function run(db, request) {
  if (request.op === 'query') return (await db.query(request.text, request.params)).rows;
  if (request.op === 'exec') return void (await db.exec(request.text));
  if (request.op === 'close') return void (await db.close());
  throw new Error('unknown PGlite thread request ' + request.op);
}

PGlite.create(workerData.dataDir).then(
  (db) => {
    let previous = Promise.resolve();
    parentPort.on('message', (request) => {
      previous = previous.then(() =>
        run(db, request).then(
          (rows) => parentPort.postMessage({ id: request.id, rows }),
          (error) => parentPort.postMessage({ id: request.id, error: plainError(error) }),
        ),
      );
    });
    parentPort.postMessage({ ready: true });
  },
  (error) => parentPort.postMessage({ ready: false, error: plainError(error) }),
);
`;
