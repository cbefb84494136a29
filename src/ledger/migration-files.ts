import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface MigrationFile {
  /** The file name's 14-digit UTC timestamp, as the Supabase CLI records it. */
  version: string;
  name: string;
  sql: string;
}

const MIGRATION_FILE_NAME = /^([0-9]+)_(.*)\.sql$/;

/**
 * `supabase/migrations` of this package, found by walking up to package.json, so the same code works
 * from src/ (ts-jest, tsx) and from lib/ after a build.
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
