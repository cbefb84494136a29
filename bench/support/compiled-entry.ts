import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..', '..');

export interface CompiledEntry {
  /** The entry as plain JavaScript, runnable with `node` and no loader (as production runs lib/). */
  file: string;
  remove(): Promise<void>;
}

/**
 * Compiles src/ and one bench entry with the production build settings (tsconfig.build.json) into a temporary
 * folder under .clipgen/ (inside the project, so `require` finds node_modules), so a measured child process runs
 * what a deployed worker runs, without tsx's loader thread.
 */
export async function compileEntry(entry: string): Promise<CompiledEntry> {
  const parent = path.join(ROOT, '.clipgen');
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(path.join(parent, 'bench-build-'));
  const tsconfig = path.join(dir, 'tsconfig.json');
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.build.json'),
      compilerOptions: { rootDir: ROOT, outDir: path.join(dir, 'out'), sourceMap: false },
      include: [path.join(ROOT, 'src'), path.join(ROOT, entry)],
    }),
  );
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', tsconfig], { cwd: ROOT });
  return {
    file: path.join(dir, 'out', entry.replace(/\.ts$/, '.js')),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
