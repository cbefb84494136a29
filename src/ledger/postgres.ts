/**
 * The ledger on Postgres (Supabase in production) over a `pg` Pool. Compatible with Supabase's
 * transaction pooler (port 6543): statements are unnamed, and the statement timeout is set per
 * transaction with set_config(…, true) rather than SET or a startup parameter, so no session state is
 * left on a pooled server connection.
 */
import { Pool, type PoolClient, type QueryConfig } from 'pg';
import { passwordsOf, toDatabaseFailure } from './errors';
import { SET_LOCAL_STATEMENT_TIMEOUT } from './sql';
import { createSqlLedger } from './sql-ledger';
import type { CostLedger, SqlDatabase, SqlSession } from './types';

export interface PostgresLedgerOptions {
  connectionString: string;
  /** Server-side limit per statement. Default 10 s. */
  statementTimeoutMs?: number;
  /** Limit on getting a connection, from the pool or a new one. Default 10 s. */
  connectionTimeoutMs?: number;
  /** Pool size. Default 10. */
  max?: number;
}

const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_POOL_SIZE = 10;
/** The client gives up this long after the server should have cancelled the statement (a dead link). */
const CLIENT_TIMEOUT_MARGIN_MS = 5_000;

/** Call migrate() before use (openLedger does). */
export function createPostgresLedger(options: PostgresLedgerOptions): CostLedger {
  return createSqlLedger(createPostgresDatabase(options));
}

export function createPostgresDatabase(options: PostgresLedgerOptions): SqlDatabase {
  const secrets = passwordsOf(options.connectionString);
  const defaultStatementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.max ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle connection that drops (server restart, pooler recycling) must not crash the process; the
  // pool discards it and the next transaction opens a new one.
  pool.on('error', () => undefined);

  return {
    kind: 'postgres',
    async transaction(work, transactionOptions = {}) {
      const statementTimeoutMs = transactionOptions.statementTimeoutMs ?? defaultStatementTimeoutMs;
      let client: PoolClient | undefined;
      let broken: Error | undefined;
      try {
        client = await pool.connect();
        const session = sessionOf(client, statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS, (error) => {
          broken = error;
        });
        await session.query('begin');
        await session.query(SET_LOCAL_STATEMENT_TIMEOUT, [String(statementTimeoutMs)]);
        const result = await work(session);
        await session.query('commit');
        return result;
      } catch (error) {
        if (client && !broken) {
          await rollback(client, CLIENT_TIMEOUT_MARGIN_MS).catch((rollbackError: Error) => (broken = rollbackError));
        }
        throw toDatabaseFailure(error, secrets);
      } finally {
        // Releasing with an error destroys a connection in an unknown state instead of reusing it.
        client?.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
  };
}

function sessionOf(client: PoolClient, queryTimeoutMs: number, markBroken: (error: Error) => void): SqlSession {
  const run = async (text: string, params?: readonly unknown[]) => {
    try {
      // pg honours a per-query query_timeout (lib/client.js) that @types/pg does not declare.
      const config = { text, values: params ? [...params] : undefined, query_timeout: queryTimeoutMs };
      return await client.query(config as QueryConfig);
    } catch (error) {
      // A server error leaves the connection usable (after rollback); anything else may not have.
      if (!isServerError(error)) markBroken(error as Error);
      throw error;
    }
  };
  return {
    async query<Row>(text: string, params?: readonly unknown[]) {
      return (await run(text, params)).rows as Row[];
    },
    async exec(script: string) {
      await run(script);
    },
  };
}

async function rollback(client: PoolClient, queryTimeoutMs: number): Promise<void> {
  await client.query({ text: 'rollback', query_timeout: queryTimeoutMs } as QueryConfig);
}

function isServerError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { severity?: unknown }).severity === 'string';
}
