/** The little the ledger needs from a database, implemented over `pg` (postgres.ts) and PGlite (pglite.ts). */

export interface SqlSession {
  /** One statement, parameters sent separately (unnamed, never prepared). */
  query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A script of several statements without parameters, e.g. a migration file. */
  exec(script: string): Promise<void>;
}

export interface TransactionOptions {
  /** Overrides the connection's statement timeout for this transaction (migrations may need longer). */
  statementTimeoutMs?: number;
}

export interface SqlDatabase {
  /** Postgres serialises concurrent migrators with an advisory lock; PGlite has a single connection. */
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `work` in one transaction: commits when it resolves, rolls back when it rejects. Driver errors
   * come out as DatabaseFailure, with any secret of the connection string removed.
   */
  transaction<T>(work: (session: SqlSession) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}
