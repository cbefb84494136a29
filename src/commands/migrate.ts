import { loadConfig } from '../config';
import { defaultMigrationsDirectory, readMigrationFiles } from '../ledger/migration-files';
import { parseCommandArgs } from './args';
import { describeLedger, openUnmigratedLedger } from './command-ledger';

export const MIGRATE_USAGE = `Usage: clipgen migrate [--dry-run]

Applies the SQL files of supabase/migrations that the cost ledger has not applied yet, each in its own
transaction, recorded in supabase_migrations.schema_migrations (as the Supabase CLI records them, so
"supabase db push" and this command skip each other's work). The ledger is DATABASE_URL's Postgres, else
PGlite in PGLITE_DIR. On Supabase use the direct or session connection string (port 5432), not the
transaction pooler (6543).

Options:
  --dry-run   list the pending migrations, apply nothing`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { 'dry-run': { type: 'boolean' } }, MIGRATE_USAGE);
  if (values.help) {
    console.log(MIGRATE_USAGE);
    return 0;
  }
  const config = loadConfig();
  const ledger = await openUnmigratedLedger(config);
  try {
    const target = describeLedger(config);
    if (values['dry-run']) {
      const pending = await ledger.pendingMigrations();
      console.log(
        pending.length === 0
          ? `${target} is up to date.`
          : `${target} lacks ${pending.length} migration(s):\n${listed(pending)}`,
      );
      return 0;
    }
    const applied = await ledger.migrate();
    console.log(
      applied.length === 0
        ? `${target} is up to date; nothing to apply.`
        : `Applied ${applied.length} migration(s) to ${target}:\n${listed(applied)}`,
    );
    return 0;
  } finally {
    await ledger.close();
  }
}

/** '  20261125160000_cost_ledger' lines. */
function listed(versions: string[]): string {
  const names = new Map(readMigrationFiles(defaultMigrationsDirectory()).map((file) => [file.version, file.name]));
  return versions.map((version) => `  ${version}_${names.get(version) ?? '?'}`).join('\n');
}
