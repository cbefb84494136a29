import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { sourceKey } from './workflow-bundle';

const ROOT = path.join(__dirname, '..', '..');
const COMPILED_DIRS = ['src', 'simulator'];

/**
 * The CLI the tests spawn: src/ and simulator/ compiled to JavaScript with the workflow bundle beside them, as
 * `npm run build` lays out lib/, so a spawned `clipgen demo` loads the bundle instead of running webpack, and no
 * process pays for a TypeScript loader. Built once per source state by Jest's global setup (about a second of
 * esbuild and a few of webpack), under node_modules/.cache so that the compiled code resolves this package's modules.
 */
export function compiledCliDir(): string {
  return path.join(ROOT, 'node_modules', '.cache', 'clipgen-test-cli', sourceKey(COMPILED_DIRS));
}

/** The compiled `src/cli.js`; Jest's global setup built it. */
export function compiledCliEntry(): string {
  const entry = path.join(compiledCliDir(), 'src', 'cli.js');
  if (!fs.existsSync(entry)) {
    throw new Error(`The compiled test CLI ${entry} is missing: run tests through Jest, whose global setup builds it`);
  }
  return entry;
}

export async function buildCompiledCli(): Promise<void> {
  const target = compiledCliDir();
  if (fs.existsSync(path.join(target, 'src', 'workflow-bundle.js'))) return;
  const partial = `${target}.${process.pid}.partial`;
  await fs.promises.rm(partial, { recursive: true, force: true });
  const entryPoints = COMPILED_DIRS.flatMap((dir) =>
    fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
      .map((file) => path.join(ROOT, dir, file)),
  );
  await build({
    entryPoints,
    outdir: partial,
    outbase: ROOT,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // As tsc compiles them for lib/ (module commonjs): `await import('./x')` becomes a require.
    supported: { 'dynamic-import': false },
    logLevel: 'warning',
  });
  const bundle = path.join(partial, 'src', 'workflow-bundle.js');
  await promisify(execFile)(
    process.execPath,
    [path.join(partial, 'src', 'scripts', 'build-workflow-bundle.js'), bundle],
    {
      cwd: ROOT,
    },
  );
  // Whole or not at all: a run that finds the folder finds the bundle in it.
  await fs.promises.rm(target, { recursive: true, force: true });
  await fs.promises.rename(partial, target);
  await removeStaleBuilds(path.dirname(target));
}

/** Builds of earlier sources, left for an hour in case a run that started from them is still going. */
async function removeStaleBuilds(parent: string): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for (const entry of await fs.promises.readdir(parent)) {
    const dir = path.join(parent, entry);
    const { mtimeMs } = await fs.promises.stat(dir);
    if (mtimeMs < hourAgo) await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
