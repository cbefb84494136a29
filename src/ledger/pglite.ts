import { mkdirSync } from 'node:fs';
import type { SqlDatabase, SqlSession } from './database';
import { lockDataDirectory } from './data-dir-lock';
import { startPgliteThread, type PgliteThread } from './pglite-thread';
import { createSqlLedger } from './sql-ledger';
import type { CostLedger } from './types';

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
