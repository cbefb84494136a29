import fs from 'node:fs';
import { parseEnv } from 'node:util';

export type Env = Record<string, string | undefined>;

/**
 * The environment with a `.env` file's variables underneath it: a variable set in the environment (even to an empty
 * string) wins over the file, as with `node --env-file`. A missing file changes nothing.
 */
export function withDotEnv(env: Env, file: string): Env {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw error;
  }
  return { ...parseEnv(content), ...env };
}
