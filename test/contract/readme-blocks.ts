import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

/**
 * The fenced code block that follows `<!-- contract:<name> … -->` in README.md, exactly as written: the tests run what
 * the README shows, so the two cannot drift apart.
 */
export function readmeBlock(name: string): { language: string; code: string } {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const marker = readme.indexOf(`<!-- contract:${name} `);
  if (marker < 0) throw new Error(`README.md has no <!-- contract:${name} … --> marker`);
  const block = /^```(\w+)\n([\s\S]*?)^```$/m.exec(readme.slice(marker));
  if (!block) throw new Error(`README.md has no fenced code block after <!-- contract:${name} -->`);
  return { language: block[1], code: block[2] };
}

/** The environment for a child process, without the npm_* variables an `npm test` run passes down. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, ...extra };
}
