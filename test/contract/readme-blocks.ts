import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');

/** The documentation the contract blocks may live in: README.md and every docs/*.md, as paths from the root. */
export function documentationFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => path.join('docs', name));
  return ['README.md', ...docs];
}

/**
 * The fenced code block that follows the line `<!-- contract:<name> … -->` in the documentation (README.md or a
 * docs/*.md page), exactly as written: the tests run what the documentation shows, so the two cannot drift apart.
 * The marker must appear exactly once over all those files, and the block must come right after it.
 */
export function documentedBlock(name: string): { language: string; code: string; file: string } {
  const marker = new RegExp(`^<!-- contract:${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*-->[ \\t]*$`, 'gm');
  const found: Array<{ file: string; after: string }> = [];
  for (const file of documentationFiles()) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const match of text.matchAll(marker)) {
      found.push({ file, after: text.slice(match.index + match[0].length) });
    }
  }
  if (found.length === 0) {
    throw new Error(`no <!-- contract:${name} … --> marker in ${documentationFiles().join(', ')}`);
  }
  if (found.length > 1) {
    throw new Error(
      `<!-- contract:${name} … --> appears ${found.length} times (${found.map((hit) => hit.file).join(', ')}): ` +
        'the tests must know which block is the contract',
    );
  }
  const [{ file, after }] = found;
  const block = /\n\s*^```(\w+)\n([\s\S]*?)^```$/my.exec(after);
  if (!block) {
    throw new Error(`${file}: no fenced code block right after <!-- contract:${name} -->`);
  }
  return { language: block[1], code: block[2], file };
}

/** The environment for a child process, without the npm_* variables an `npm test` run passes down. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, ...extra };
}
