import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SqlDatabase } from '../../src/ledger/types';
import { DatabaseFailure } from '../../src/ledger/errors';
import { defaultMigrationsDirectory, readMigrationFiles, runMigrations } from '../../src/ledger/migrations';
import { openPgliteDatabase } from '../../src/ledger/pglite';
import { BOOTSTRAP_SQL } from '../../src/ledger/sql';
import { describeEachLedger, type OpenedLedger } from './backends';

const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

describe('migration files', () => {
  it('are found in supabase/migrations of the package, from src/ and from a built lib/ alike', () => {
    const expected = path.join(REPOSITORY_ROOT, 'supabase', 'migrations');
    expect(defaultMigrationsDirectory()).toBe(expected);
    expect(defaultMigrationsDirectory(path.join(REPOSITORY_ROOT, 'lib', 'ledger'))).toBe(expected);
  });

  it('follow the Supabase CLI naming convention and hold no transaction control', () => {
    const directory = defaultMigrationsDirectory();
    const files = readMigrationFiles(directory);
    expect(files.length).toBe(readdirSync(directory).length);
    for (const file of files) {
      expect(file.version).toMatch(/^\d{14}$/);
      expect(file.sql).not.toMatch(/^\s*(begin|commit|rollback)\b|concurrently/im);
    }
  });

  it('are read in lexical order, ignoring other files', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'clipgen-migrations-'));
    try {
      writeFileSync(path.join(directory, '20250102000000_second.sql'), 'select 2;');
      writeFileSync(path.join(directory, '20250101000000_first.sql'), 'select 1;');
      writeFileSync(path.join(directory, 'README.md'), 'not a migration');
      expect(readMigrationFiles(directory)).toEqual([
        { version: '20250101000000', name: 'first', sql: 'select 1;' },
        { version: '20250102000000', name: 'second', sql: 'select 2;' },
      ]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describeEachLedger('migrations', (backend) => {
  let opened: OpenedLedger;
  let scratch: string;

  beforeAll(async () => {
    opened = await backend.open();
  });
  afterAll(async () => {
    await opened.ledger.close();
  });
  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'clipgen-migrations-'));
  });
  afterEach(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  const sql = <Row>(db: SqlDatabase, text: string, params: unknown[] = []) =>
    db.transaction((session) => session.query<Row>(text, params));

  /** A version no real migration will ever have, so tests on the shared Postgres database cannot collide. */
  const testVersion = () => `2999${String(randomInt(1e9)).padStart(10, '0')}`;

  async function forget(versions: string[], dropSchema: string): Promise<void> {
    await opened.db.transaction(async (session) => {
      await session.query(`delete from supabase_migrations.schema_migrations where version = any($1)`, [versions]);
      await session.exec(`drop schema if exists ${dropSchema} cascade`);
    });
  }

  it('records every repository migration once, and a second run applies nothing', async () => {
    await opened.ledger.migrate();
    expect(await runMigrations(opened.db)).toEqual([]);
    const files = readMigrationFiles(defaultMigrationsDirectory());
    const rows = await sql<{ version: string; name: string; statements: string[] }>(
      opened.db,
      `select version, name, statements from supabase_migrations.schema_migrations where version = any($1)
       order by version`,
      [files.map((file) => file.version)],
    );
    expect(rows).toEqual(files.map((file) => ({ version: file.version, name: file.name, statements: [file.sql] })));
  });

  it('enables row-level security on the ledger tables, with no policy opening them', async () => {
    const tables = await sql<{ relname: string; relrowsecurity: boolean }>(
      opened.db,
      `select relname, relrowsecurity from pg_class
       where oid in ('public.jobs'::regclass, 'public.clip_costs'::regclass, 'public.budget_reservations'::regclass)
       order by relname`,
    );
    expect(tables).toEqual([
      { relname: 'budget_reservations', relrowsecurity: true },
      { relname: 'clip_costs', relrowsecurity: true },
      { relname: 'jobs', relrowsecurity: true },
    ]);
    const policies = await sql(
      opened.db,
      `select 1 from pg_policies
       where schemaname = 'public' and tablename in ('jobs', 'clip_costs', 'budget_reservations')`,
    );
    expect(policies).toEqual([]);
  });

  it.each(
    ['anon', 'authenticated'].flatMap((role) =>
      ['jobs', 'clip_costs', 'budget_reservations'].map((table) => [role, table]),
    ),
  )('denies the %s role any access to %s', async (role, table) => {
    const asRole = opened.db.transaction(async (session) => {
      await session.exec(`set local role ${role}`);
      return session.query(`select * from public.${table}`);
    });
    await expect(asRole).rejects.toBeInstanceOf(DatabaseFailure);
    await expect(asRole).rejects.toMatchObject({ sqlState: '42501' });
  });

  it('applies pending files in version order, each with its history row', async () => {
    const version = testVersion();
    const schema = `migration_test_${version}`;
    writeFileSync(
      path.join(scratch, `${version}1_create.sql`),
      `create schema ${schema}; create table ${schema}.t (a int);`,
    );
    writeFileSync(path.join(scratch, `${version}2_alter.sql`), `alter table ${schema}.t add column b text;`);
    try {
      expect(await runMigrations(opened.db, { directory: scratch })).toEqual([`${version}1`, `${version}2`]);
      expect(await runMigrations(opened.db, { directory: scratch })).toEqual([]);
      const columns = await sql<{ column_name: string }>(
        opened.db,
        `select column_name from information_schema.columns where table_schema = $1 order by ordinal_position`,
        [schema],
      );
      expect(columns.map((column) => column.column_name)).toEqual(['a', 'b']);
    } finally {
      await forget([`${version}1`, `${version}2`], schema);
    }
  });

  it('rolls a failing file back entirely and records nothing for it', async () => {
    const version = testVersion();
    const schema = `migration_test_${version}`;
    writeFileSync(path.join(scratch, `${version}1_good.sql`), `create schema ${schema};`);
    writeFileSync(
      path.join(scratch, `${version}2_bad.sql`),
      `create table ${schema}.half_done (a int); select * from ${schema}.no_such_table;`,
    );
    try {
      await expect(runMigrations(opened.db, { directory: scratch })).rejects.toMatchObject({ sqlState: '42P01' });
      const tables = await sql(opened.db, `select 1 from information_schema.tables where table_schema = $1`, [schema]);
      expect(tables).toEqual([]);
      const recorded = await sql<{ version: string }>(
        opened.db,
        `select version from supabase_migrations.schema_migrations where version like $1`,
        [`${version}%`],
      );
      expect(recorded).toEqual([{ version: `${version}1` }]);
    } finally {
      await forget([`${version}1`, `${version}2`], schema);
    }
  });

  it('applies a file once when two migrators race', async () => {
    const version = testVersion();
    const schema = `migration_test_${version}`;
    // Not idempotent on purpose: a second application would fail.
    writeFileSync(
      path.join(scratch, `${version}_race.sql`),
      `create schema ${schema}; create table ${schema}.t (a int);`,
    );
    // A PGlite database has a single connection, so its racers share it; Postgres racers use their own pools.
    const second = backend.name === 'postgres' ? await backend.open() : opened;
    try {
      const results = await Promise.all([
        runMigrations(opened.db, { directory: scratch }),
        runMigrations(second.db, { directory: scratch }),
        runMigrations(opened.db, { directory: scratch }),
      ]);
      expect(results.flat()).toEqual([version]);
    } finally {
      if (second !== opened) await second.ledger.close();
      await forget([version], schema);
    }
  });
});

describe('role bootstrap on a fresh PGlite database', () => {
  let db: SqlDatabase;

  beforeEach(async () => {
    db = await openPgliteDatabase();
  });
  afterEach(async () => {
    await db.close();
  });

  it('creates the Supabase roles, service_role bypassing RLS as on Supabase', async () => {
    await runMigrations(db);
    const roles = await db.transaction((session) =>
      session.query<{ rolname: string; rolcanlogin: boolean; rolbypassrls: boolean }>(
        `select rolname, rolcanlogin, rolbypassrls from pg_roles
         where rolname in ('anon', 'authenticated', 'service_role') order by rolname`,
      ),
    );
    expect(roles).toEqual([
      { rolname: 'anon', rolcanlogin: false, rolbypassrls: false },
      { rolname: 'authenticated', rolcanlogin: false, rolbypassrls: false },
      { rolname: 'service_role', rolcanlogin: false, rolbypassrls: true },
    ]);
  });

  it('says what to do when the database user may not create the missing roles', async () => {
    await db.transaction((session) =>
      session.exec('create role limited_user login; grant create on database postgres to limited_user;'),
    );
    const asLimitedUser = db.transaction(async (session) => {
      await session.exec('set local role limited_user');
      await session.exec(BOOTSTRAP_SQL);
    });
    await expect(asLimitedUser).rejects.toMatchObject({
      sqlState: '42501',
      message: expect.stringContaining('create them once as a superuser, or grant'),
    });
  });
});
