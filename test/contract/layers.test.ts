/**
 * Imports run downhill (docs/architecture.md, Layers), and lint keeps it so: eslint.config.mjs gives every top-level
 * name under src/ its layer's `no-restricted-imports` patterns, and the simulator (simulator/, beside src/) its own.
 * These one-line sources, linted with the project's own configuration at paths inside each layer, show that the rules
 * bite, and that a legal import passes.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../..');

/**
 * ESLint's Node API, in a child process: it loads eslint.config.mjs with a dynamic import, which Jest's module sandbox
 * does not allow. The sources are not files of the TypeScript project, so they are linted without type information
 * (the import rules need none). Answers each source's import errors, and which paths get a no-restricted-imports rule.
 */
const LINT = `
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
const { sources, configPaths } = JSON.parse(process.argv[1]);
const eslint = new ESLint({ overrideConfig: tseslint.configs.disableTypeChecked });
const errors = [];
for (const { filePath, source } of sources) {
  const [result] = await eslint.lintText(source + '\\n', { filePath });
  // The import rules' errors, and any parse error (no rule id); not, say, an unused import's.
  const relevant = result.messages.filter((message) => [null, 'no-restricted-imports'].includes(message.ruleId));
  errors.push(relevant.map((message) => message.message));
}
const restricted = [];
for (const filePath of configPaths) {
  const config = await eslint.calculateConfigForFile(filePath);
  restricted.push(Boolean(config?.rules?.['no-restricted-imports']));
}
console.log(JSON.stringify({ errors, restricted }));
`;

async function lint(
  sources: Array<{ filePath: string; source: string }>,
  configPaths: string[] = [],
): Promise<{ errors: string[][]; restricted: boolean[] }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', LINT, JSON.stringify({ sources, configPaths })],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout);
}

const refused: Array<[string, string, string, RegExp]> = [
  ['domain', 'src/domain/x.ts', "import fs from 'node:fs';", /no Node built-ins/],
  ['domain', 'src/domain/x.ts', "import fs from 'fs';", /no Node built-ins/],
  ['domain', 'src/domain/x.ts', "import { Worker } from 'worker_threads';", /no Node built-ins/],
  ['domain', 'src/domain/models/x.ts', "export { Worker } from 'node:worker_threads';", /no Node built-ins/],
  ['domain', 'src/domain/x.ts', "export { test } from 'node:test';", /no Node built-ins/],
  ['domain', 'src/domain/x.ts', "export type { StoredClip } from '../activities/contracts';", /domain is pure/],
  ['workflow', 'src/workflows/x.ts', "import { x } from '../replicate/x';", /only the domain/],
  ['workflow', 'src/workflows/x.ts', "export { sleep } from 'node:timers/promises';", /no Node built-ins/],
  ['workflow', 'src/workflows/x.ts', "import { msToNumber } from '@temporalio/common/lib/time';", /no lib\//],
  ['workflow', 'src/workflows/x.ts', "export { Context } from '@temporalio/activity';", /only @temporalio\/workflow/],
  ['workflow', 'src/workflows/x.ts', "export { createActivities } from '../activities';", /types only/],
  ['adapter', 'src/replicate/x.ts', "import type { CreateIdentity } from '../activities/contracts';", /downhill/],
  ['adapter', 'src/storage/x.ts', "export { openDownload } from '../media/download';", /each other/],
  ['adapter', 'src/temporal/x.ts', "export { createClipWorker } from '../worker';", /downhill/],
  ['infrastructure', 'src/http/x.ts', "export { openStorage } from '../storage/open-storage';", /downhill/],
  ['infrastructure', 'src/config.ts', "export { runDemo } from './commands/run-demo';", /downhill/],
  ['service', 'src/activities/x.ts', "export { generateClipWorkflow } from '../workflows';", /downhill/],
  ['service', 'src/costs/x.ts', "export { startSimulator } from '../../simulator';", /Only the CLI/],
  ['adapter', 'src/replicate/x.ts', "export { SIMULATED_MODELS } from '../../simulator';", /Only the CLI/],
  ['domain', 'src/domain/x.ts', "export { SIMULATED_MODELS } from '../../simulator';", /domain is pure/],
  ['composition', 'src/webhooks/x.ts', "export { UsageError } from '../commands/args';", /downhill/],
  ['composition', 'src/worker.ts', "export { UsageError } from './commands/args';", /downhill/],
  ['simulator', 'simulator/models/x.ts', "export type { ModelId } from '../../src/domain/types';", /shares only/],
  ['simulator', 'simulator/x.ts', "export { clipFailure } from '../src/domain/failures';", /shares only/],
  ['simulator', 'simulator/x.ts', "export { serveFile } from '../src/commands/run-demo';", /shares only/],
  ['simulator', 'simulator/x.ts', "export { DEFAULT_TASK_QUEUE } from 'clipgen';", /shares only/],
  ['CLI', 'src/scripts/x.ts', "export { startSimulator } from '../../simulator';", /Only the CLI/],
  ['CLI', 'src/cli.ts', "export { UsageError } from '../simulator/cli';", /through its entry/],
  ['CLI', 'src/commands/x.ts', "export { startScriptedServer } from '../../test/replicate/scripted-server';", /src\//],
];

const allowed: Array<[string, string, string]> = [
  ['domain', 'src/domain/x.ts', "export { ApplicationFailure } from '@temporalio/common';"],
  ['domain', 'src/domain/models/x.ts', "export { REPLICATE_REFS } from '../replicate-refs';"],
  ['workflow', 'src/workflows/x.ts', "import type { StoredClip } from '../activities/contracts';"],
  ['workflow', 'src/workflows/x.ts', "export { clipFailure } from '../domain/failures';"],
  ['workflow', 'src/workflows/x.ts', "export { proxyActivities } from '@temporalio/workflow';"],
  ['adapter', 'src/storage/x.ts', "export { describeBytes } from '../http/client';"],
  ['adapter', 'src/replicate/x.ts', "export type { CreateIdentity } from '../domain/types';"],
  ['service', 'src/activities/x.ts', "export { openDownload } from '../media/download';"],
  ['composition', 'src/worker.ts', "export { createActivities } from './activities';"],
  ['CLI', 'src/commands/x.ts', "export { startSimulator } from '../../simulator';"],
  ['CLI', 'src/cli.ts', "export { runSimulatorCommand } from '../simulator';"],
  ['simulator', 'simulator/x.ts', "export { listen } from '../src/http/listen';"],
  ['simulator', 'simulator/render/x.ts', "export { FFMPEG_PATH } from '../../src/media/binaries';"],
  ['simulator', 'simulator/models/x.ts', "export { REPLICATE_REFS } from '../../src/domain/replicate-refs';"],
];

describe('layer rules (eslint.config.mjs)', () => {
  let errors: string[][];
  let restricted: boolean[];
  const sources = [...refused, ...allowed].map(([, filePath, source]) => ({ filePath, source }));
  // Every top-level name under src/: a folder (a file in it) or a module.
  const topLevel = fs
    .readdirSync(path.join(ROOT, 'src'), { withFileTypes: true })
    .map((entry) => (entry.isDirectory() ? `src/${entry.name}/x.ts` : `src/${entry.name}`))
    .filter((probe) => probe.endsWith('.ts') && !probe.endsWith('.d.ts'));
  // A file at each depth of simulator/.
  const simulatorFiles = ['simulator/x.ts', 'simulator/models/x.ts', 'simulator/a/b/x.ts', 'simulator/a/b/c/x.ts'];

  beforeAll(async () => {
    ({ errors, restricted } = await lint(sources, [...topLevel, ...simulatorFiles]));
  });

  it.each(refused.map((row, index) => [...row, index] as const))(
    'refuses, in a %s file (%s): %s',
    (_layer, _filePath, _source, why, index) => {
      expect(errors[index]).toEqual([expect.stringMatching(why)]);
    },
  );

  it.each(allowed.map((row, index) => [...row, refused.length + index] as const))(
    'allows, in a %s file (%s): %s',
    (_layer, _filePath, _source, index) => {
      expect(errors[index]).toEqual([]);
    },
  );

  it('gives every top-level name under src/ a layer', () => {
    expect(topLevel.filter((_probe, index) => !restricted[index])).toEqual([]);
  });

  it('gives every file of simulator/ its rule', () => {
    expect(simulatorFiles.filter((_probe, index) => !restricted[topLevel.length + index])).toEqual([]);
  });
});
