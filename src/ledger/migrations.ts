/**
 * Applies supabase/migrations the way the Supabase CLI does: each pending file and its row in
 * supabase_migrations.schema_migrations in one transaction, in version order. Files already recorded (by
 * this runner or by `supabase db push`) are skipped.
 *
 * On Postgres every transaction first takes an advisory transaction lock, so two workers starting at once
 * apply each file exactly once. Run migrations over the direct or session connection (port 5432), not
 * Supabase's transaction pooler (6543): the pooler does not support advisory locks.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  BOOTSTRAP_SQL,
  INSERT_APPLIED_VERSION,
  LOCK_MIGRATIONS,
  MIGRATION_HISTORY_EXISTS,
  SELECT_APPLIED_VERSIONS,
  SELECT_VERSION_APPLIED,
} from './sql';
import type { SqlDatabase, SqlSession } from './types';

export interface MigrateOptions {
  /** Default: this package's supabase/migrations. */
  directory?: string;
  /** Per migration file; DDL may wait for locks longer than an ordinary statement should. */
  statementTimeoutMs?: number;
}

const DEFAULT_MIGRATION_TIMEOUT_MS = 120_000;

/** Returns the versions this call applied (empty when the database was up to date). */
export async function runMigrations(db: SqlDatabase, options: MigrateOptions = {}): Promise<string[]> {
  const files = readMigrationFiles(options.directory ?? defaultMigrationsDirectory());
  const transactionOptions = { statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_MIGRATION_TIMEOUT_MS };

  const alreadyApplied = await db.transaction(async (session) => {
    await lockMigrations(db, session);
    await session.exec(BOOTSTRAP_SQL);
    const rows = await session.query<{ version: string }>(SELECT_APPLIED_VERSIONS);
    return new Set(rows.map((row) => row.version));
  }, transactionOptions);

  const applied: string[] = [];
  for (const file of files.filter((candidate) => !alreadyApplied.has(candidate.version))) {
    const appliedNow = await db.transaction((session) => applyOnce(db, session, file), transactionOptions);
    if (appliedNow) applied.push(file.version);
  }
  return applied;
}

/** Versions of the directory's files this database has not applied; reads only, so no lock and no bootstrap. */
export async function pendingMigrations(db: SqlDatabase, options: Pick<MigrateOptions, 'directory'> = {}) {
  const files = readMigrationFiles(options.directory ?? defaultMigrationsDirectory());
  const applied = await db.transaction(async (session) => {
    const [history] = await session.query<{ exists: boolean }>(MIGRATION_HISTORY_EXISTS);
    if (!history?.exists) return new Set<string>();
    const rows = await session.query<{ version: string }>(SELECT_APPLIED_VERSIONS);
    return new Set(rows.map((row) => row.version));
  });
  return files.filter((file) => !applied.has(file.version)).map((file) => file.version);
}

async function applyOnce(db: SqlDatabase, session: SqlSession, file: MigrationFile): Promise<boolean> {
  await lockMigrations(db, session);
  // Another process may have applied it between our first look and the lock.
  if ((await session.query(SELECT_VERSION_APPLIED, [file.version])).length > 0) return false;
  await session.exec(file.sql);
  await session.query(INSERT_APPLIED_VERSION, [file.version, file.name, [file.sql]]);
  return true;
}

async function lockMigrations(db: SqlDatabase, session: SqlSession): Promise<void> {
  if (db.kind === 'postgres') await session.query(LOCK_MIGRATIONS);
}

export interface MigrationFile {
  /** The file name's 14-digit UTC timestamp, as the Supabase CLI records it. */
  version: string;
  name: string;
  sql: string;
}

const MIGRATION_FILE_NAME = /^([0-9]+)_(.*)\.sql$/;

/**
 * `supabase/migrations` of this package, found by walking up to package.json, so the same code works
 * from src/ (Jest, tsx) and from lib/ after a build.
 */
export function defaultMigrationsDirectory(startDirectory: string = __dirname): string {
  for (let directory = startDirectory; ; directory = path.dirname(directory)) {
    if (existsSync(path.join(directory, 'package.json'))) return path.join(directory, 'supabase', 'migrations');
    if (path.dirname(directory) === directory) {
      throw new Error(`No package.json above ${startDirectory}: cannot find supabase/migrations`);
    }
  }
}

/** The directory's migration files in lexical (= version) order; other files are ignored. */
export function readMigrationFiles(directory: string): MigrationFile[] {
  return readdirSync(directory)
    .filter((fileName) => MIGRATION_FILE_NAME.test(fileName))
    .sort()
    .map((fileName) => {
      const [, version, name] = MIGRATION_FILE_NAME.exec(fileName) as RegExpExecArray;
      return { version, name, sql: readFileSync(path.join(directory, fileName), 'utf8') };
    });
}
