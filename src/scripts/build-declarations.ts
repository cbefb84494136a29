import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The package's folder (the first with a package.json above this file): from src/scripts and lib/src/scripts alike. */
const ROOT = packageRoot(__dirname);
/** The package's public entry (package.json `exports["."]`); its declarations and those of what it imports. */
export const PUBLIC_ENTRY = path.join(ROOT, 'src', 'index.ts');

/**
 * Emits the public entry and the modules it imports with the production build settings (tsconfig.build.json):
 * only the declaration files by default, as `npm run build` needs them beside the JavaScript `tsc` wrote (the rest of
 * src/ is internal and has none), or the JavaScript too (`declarationsOnly: false`, for a staged copy of the package).
 * Returns the files written; throws with TypeScript's diagnostics if the entry does not compile.
 */
export function emitPublicEntry(outDir: string = path.join(ROOT, 'lib'), declarationsOnly = true): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.build.json'),
    { declaration: true, emitDeclarationOnly: declarationsOnly, outDir, noEmit: false },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => fail([diagnostic]) },
  );
  if (!parsed) throw new Error('tsconfig.build.json could not be read');
  const program = ts.createProgram({ rootNames: [PUBLIC_ENTRY], options: parsed.options });
  const written: string[] = [];
  const result = program.emit(undefined, (file, text) => {
    ts.sys.writeFile(file, text);
    written.push(file);
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0) fail(diagnostics);
  return written;
}

function packageRoot(start: string): string {
  for (let directory = start; ; directory = path.dirname(directory)) {
    if (fs.existsSync(path.join(directory, 'package.json'))) return directory;
    if (path.dirname(directory) === directory) throw new Error(`No package.json above ${start}`);
  }
}

function fail(diagnostics: readonly ts.Diagnostic[]): never {
  throw new Error(
    ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => '\n',
    }),
  );
}

if (require.main === module) {
  try {
    const files = emitPublicEntry(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
    console.log(`Declarations of the public entry written: ${files.length} files`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
