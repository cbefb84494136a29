/** The embedded ledger: PGlite on its own thread, in a data directory one process at a time. */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DatabaseFailure, toDatabaseFailure } from './errors';
import { createSqlLedger } from './sql-ledger';
import type { CostLedger, SqlDatabase, SqlSession } from './types';

export interface PgliteLedgerOptions {
  /** A directory to persist to; undefined keeps the database in memory. One process per directory. */
  dataDir?: string;
}

/** The embedded ledger: for tests, the demo and a single worker process. Call migrate() before use. */
export async function createPgliteLedger(options: PgliteLedgerOptions = {}): Promise<CostLedger> {
  return createSqlLedger(await openPgliteDatabase(options));
}

/**
 * PGlite has one connection, so transactions take turns. It runs in this process with no network to
 * time out, and it ignores statement_timeout (no signals in WASM), so TransactionOptions has no effect.
 */
export async function openPgliteDatabase(options: PgliteLedgerOptions = {}): Promise<SqlDatabase> {
  const { dataDir } = options;
  const lock = dataDir === undefined ? null : lockDataDirectory(dataDir);
  let thread: PgliteThread;
  try {
    if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
    thread = await startPgliteThread(dataDir);
  } catch (error) {
    lock?.release();
    throw error;
  }

  const session: SqlSession = {
    query: (text, params = []) => thread.request({ op: 'query', text, params: [...params] }),
    exec: async (script) => {
      await thread.request({ op: 'exec', text: script });
    },
  };
  let turn: Promise<unknown> = Promise.resolve();

  return {
    kind: 'pglite',
    transaction(work) {
      const run = turn.then(() => inTransaction(session, work));
      turn = run.catch(() => undefined);
      return run;
    },
    async close() {
      try {
        await turn;
        await thread.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function inTransaction<T>(session: SqlSession, work: (session: SqlSession) => Promise<T>): Promise<T> {
  await session.exec('begin');
  try {
    const result = await work(session);
    await session.exec('commit');
    return result;
  } catch (error) {
    await session.exec('rollback').catch(() => undefined);
    throw error;
  }
}

/**
 * PGlite on a worker thread. Its WASM executes statements synchronously, so on the main thread a slow
 * query would stall the Temporal worker's event loop (heartbeats, polling); on its own thread it cannot.
 * The thread also keeps PGlite's Emscripten glue, which calls dynamic import(), out of module sandboxes
 * such as Jest's.
 */
type Request = { op: 'query'; text: string; params: unknown[] } | { op: 'exec'; text: string } | { op: 'close' };

interface Reply {
  id?: number;
  ready?: boolean;
  rows?: unknown[];
  error?: { message: string; code?: string; severity?: string };
}

export interface PgliteThread {
  request<Row>(request: Request): Promise<Row[]>;
  /** Closes PGlite (flushing a data dir) and ends the thread. */
  close(): Promise<void>;
}

export async function startPgliteThread(dataDir: string | undefined): Promise<PgliteThread> {
  const worker = new Worker(PGLITE_WORKER_SOURCE, {
    eval: true,
    workerData: {
      pglitePath: require.resolve('@electric-sql/pglite'),
      dataDir,
      templatePath: pgliteTemplatePath(),
      settings: PGLITE_SETTINGS,
    },
  });
  const pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let stopped: Error | null = null;

  const stop = (error: Error) => {
    stopped ??= error;
    for (const { reject } of pending.values()) reject(stopped);
    pending.clear();
  };

  await new Promise<void>((resolve, reject) => {
    worker.once('message', (reply: Reply) => {
      if (reply.ready) return resolve();
      reject(toDatabaseFailure(reply.error, []));
      void worker.terminate();
    });
    worker.once('error', (error) => reject(toDatabaseFailure(error, [])));
  });

  worker.on('message', (reply: Reply) => {
    const waiting = reply.id === undefined ? undefined : pending.get(reply.id);
    if (!waiting || reply.id === undefined) return;
    pending.delete(reply.id);
    if (reply.error) waiting.reject(toDatabaseFailure(reply.error, []));
    else waiting.resolve(reply.rows ?? []);
  });
  worker.on('error', (error) => stop(toDatabaseFailure(error, [])));
  worker.on('exit', (code) => stop(new DatabaseFailure(`the PGlite thread exited (code ${code})`, null)));

  const request = <Row>(message: Request): Promise<Row[]> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise<Row[]>((resolve, reject) => {
      pending.set(id, { resolve: (rows) => resolve(rows as Row[]), reject });
      worker.postMessage({ id, ...message });
    });
  };

  return {
    request,
    async close() {
      if (stopped) return;
      try {
        await request({ op: 'close' });
      } finally {
        await worker.terminate();
      }
    },
  };
}

/**
 * Postgres settings for a ledger of a few rows per clip. PGlite's defaults (shared_buffers 128MB, 100
 * connections) are a server's; these keep the embedded ledger small next to the Temporal worker.
 */
export const PGLITE_SETTINGS = [
  'shared_buffers = 8MB',
  'wal_buffers = 256kB',
  'temp_buffers = 1MB',
  'work_mem = 1MB',
  'maintenance_work_mem = 4MB',
  'max_connections = 5',
];

/**
 * Where a freshly initialised, empty cluster is kept as a tarball, one per PGlite version, so that a new
 * database loads it instead of running initdb again (initdb is most of PGlite's start: seconds of CPU).
 * In the user's own cache folder, not a shared temporary one, because its content becomes the database.
 */
export function pgliteTemplatePath(): string {
  const pglitePackage = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  const version = (JSON.parse(readFileSync(pglitePackage, 'utf8')) as { version: string }).version;
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'clipgen', `pglite-${version}-empty-cluster.tar.gz`);
}

/**
 * The code of the thread that owns the PGlite instance, as plain JavaScript (Node runs it with
 * `eval: true`, so it needs no build step from src/ or lib/). It answers { id, op, text, params } with
 * { id, rows } or { id, error }, one request at a time in arrival order.
 *
 * A new database starts from the template cluster when there is one, and leaves one behind when there is
 * not; a template that does not load is removed, and the database is initialised from scratch.
 */
export const PGLITE_WORKER_SOURCE = `
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const v8 = require('node:v8');
const { parentPort, workerData } = require('node:worker_threads');
// PGlite is Postgres compiled to WebAssembly. V8's optimising tier compiles its hot functions a second time: about
// 90 MB more RSS and 1.5 s more CPU per open, for ledger queries no faster (docs/benchmarks.md, section 4). The
// flag is process-wide, so it is set before PGlite loads and left on: the process's only other WebAssembly,
// undici's HTTP parser, fetched 512 MB as fast with it.
v8.setFlagsFromString('--liftoff-only');
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

function create(dataDir, options) {
  return dataDir === undefined ? PGlite.create(options) : PGlite.create(dataDir, options);
}

function readTemplate(templatePath) {
  try {
    return fs.readFileSync(templatePath);
  } catch {
    return undefined;
  }
}

async function writeTemplate(db, templatePath) {
  try {
    const tarball = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
    fs.mkdirSync(path.dirname(templatePath), { recursive: true });
    const partial = templatePath + '.' + process.pid + '.' + Date.now() + '.partial';
    fs.writeFileSync(partial, tarball);
    fs.renameSync(partial, templatePath);
  } catch {
    // Without a cache folder every new database runs initdb: slower, not wrong.
  }
}

/**
 * Writes the template's files into an empty data directory, PG_VERSION last, so that an interrupted extraction is
 * not taken for a cluster. PGlite's own loadDataDir would unpack them through its memory: the process kept about
 * 75 MB more RSS for good (docs/benchmarks.md, section 4). The tarball is PGlite's dumpDataDir: ustar, files and
 * folders only.
 */
function extractTemplate(gzipped, dataDir) {
  const tar = zlib.gunzipSync(gzipped);
  const root = path.resolve(dataDir);
  let pgVersion;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const text = (start, length) => header.toString('utf8', start, start + length).split('\\0')[0];
    const name = [text(345, 155), text(0, 100)].filter(Boolean).join('/');
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const type = text(156, 1) || '0';
    const target = path.join(root, path.normalize('/' + name));
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === '5') {
      fs.mkdirSync(target, { recursive: true });
    } else if (type === '0' && target === path.join(root, 'PG_VERSION')) {
      pgVersion = body;
    } else if (type === '0') {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, body);
    } else {
      throw new Error('the PGlite template holds a tar entry of type ' + type + ': ' + name);
    }
  }
  if (pgVersion === undefined) throw new Error('the PGlite template has no PG_VERSION');
  fs.writeFileSync(path.join(root, 'PG_VERSION'), pgVersion);
}

function isEmptyDirectory(dir) {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch {
    return true;
  }
}

async function open({ dataDir, templatePath, settings }) {
  const options = { postgresqlconf: settings };
  const isNew = dataDir === undefined || !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!isNew) return create(dataDir, options);
  const template = readTemplate(templatePath);
  if (template !== undefined && (dataDir === undefined || isEmptyDirectory(dataDir))) {
    try {
      if (dataDir === undefined) return await create(dataDir, { ...options, loadDataDir: new Blob([template]) });
      extractTemplate(template, dataDir);
      return await create(dataDir, options);
    } catch {
      fs.rmSync(templatePath, { force: true });
      if (dataDir !== undefined) {
        for (const entry of fs.readdirSync(dataDir)) fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
      }
    }
  }
  const db = await create(dataDir, options);
  await writeTemplate(db, templatePath);
  return db;
}

open(workerData).then(
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

/**
 * PGlite has no cross-process lock: a second process opening the same data directory corrupts it. A PID
 * file beside the directory turns that into a clear error.
 */
export interface DataDirLock {
  release(): void;
}

const heldByThisProcess = new Set<string>();

export function lockDataDirectory(dataDir: string): DataDirLock {
  const lockPath = `${path.resolve(dataDir)}.lock`;
  mkdirSync(path.dirname(lockPath), { recursive: true });
  if (!tryCreate(lockPath)) {
    const owner = readOwner(lockPath);
    if (owner !== null && isHeldElsewhere(lockPath, owner)) {
      throw new Error(
        `The PGlite ledger ${dataDir} is open in process ${owner}; PGlite allows one process per data directory. ` +
          `Stop that process, or share a Postgres ledger through DATABASE_URL (remove ${lockPath} if no such process exists).`,
      );
    }
    // Left behind by a process that is gone: take it over.
    unlinkSync(lockPath);
    if (!tryCreate(lockPath)) throw new Error(`Another process took the PGlite ledger lock ${lockPath} just now`);
  }
  heldByThisProcess.add(lockPath);
  return {
    release() {
      if (!heldByThisProcess.delete(lockPath)) return;
      if (readOwner(lockPath) === process.pid) unlinkSync(lockPath);
    },
  };
}

function tryCreate(lockPath: string): boolean {
  try {
    writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readOwner(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isHeldElsewhere(lockPath: string, pid: number): boolean {
  // Our own pid on a lock we did not take comes from an earlier life of a container whose main process
  // had the same pid: stale.
  if (pid === process.pid) return heldByThisProcess.has(lockPath);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
