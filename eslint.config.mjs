import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Imports run downhill (docs/architecture.md, Layers). Each top-level name under src/ (a folder, or a file without
 * its `.ts`) belongs to one layer; a layer may import its own and the layers below it, never one above. Adapters do not
 * import each other, and the workflows see only the domain and the activities' types. The simulator (a stand-in for
 * Replicate beside the product, in simulator/ beside src/) borrows from the product only what it must share, and only
 * the clipgen command (src/cli.ts, src/commands) starts it, through its entry (simulator/index.ts).
 */
const LAYERS = {
  domain: ['domain'],
  infrastructure: ['http', 'config'],
  adapters: ['replicate', 'media', 'storage', 'ledger', 'temporal'],
  services: ['activities', 'costs'],
  workflows: ['workflows'],
  composition: ['worker', 'dependencies', 'client', 'webhooks', 'health', 'index'],
  cli: ['cli', 'commands', 'scripts'],
};
/** The top-level names under src/ that may start the simulator: the clipgen command (`clipgen simulator`, the demo). */
const SIMULATOR_USERS = ['cli', 'commands'];
/**
 * The modules under src/ the simulator shares with the product: the bundled ffmpeg/ffprobe and the pinned model refs
 * (one source of truth for which versions clipgen calls and the simulator serves). Its listener is its own copy.
 */
const SIMULATOR_SHARES = ['src/http/listen', 'src/media/binaries', 'src/domain/replicate-refs'];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternatives = (names) => names.map(escape).join('|');
/** Every Node built-in, as `fs` and as `node:fs` (and anything else `node:`, such as `node:test`). */
const BUILTINS = alternatives(builtinModules.map((name) => name.replace(/^node:/, '')));
const builtinPattern = (who) => ({
  regex: `^(?:node:)?(?:${BUILTINS})$|^node:`,
  message: `${who} runs in Temporal's deterministic workflow sandbox: no Node built-ins.`,
});

/**
 * The `no-restricted-imports` patterns of one top-level name, for its files `depth` folders below src/ (`src/x.ts`
 * is 0, `src/x/y.ts` is 1): a relative path reaching src/ from there climbs exactly `depth` levels.
 */
function layerPatterns(layer, top, depth) {
  const toSrc = depth === 0 ? '\\./' : `(?:\\.\\./){${depth}}`;
  const toRoot = `(?:\\.\\./){${depth + 1}}`;
  // Outside src/, only the simulator, which has its own pattern: the CLI's entry-only, everyone else's refusal.
  const outOfSrc = { regex: `^${toRoot}(?!simulator(?:/|$))`, message: 'Product code imports nothing outside src/.' };
  const simulator = SIMULATOR_USERS.includes(top)
    ? {
        regex: `^${toRoot}simulator/`,
        message: 'The CLI imports the simulator through its entry (simulator/index.ts).',
      }
    : { regex: `^${toRoot}simulator(?:/|$)`, message: 'Only the CLI (src/cli.ts, src/commands) starts the simulator.' };
  const above = (names, why) => ({ regex: `^${toSrc}(?:${alternatives(names)})(?:/|$)`, message: why });
  const order = Object.keys(LAYERS);
  const higher = order.slice(order.indexOf(layer) + 1).flatMap((name) => LAYERS[name]);
  const uphill = `Imports run downhill: the ${layer} layer does not import from layers above it (docs/architecture.md, Layers).`;
  switch (layer) {
    case 'domain':
      return [
        builtinPattern('Domain code'),
        { regex: `^${toSrc}(?!domain/)`, message: 'The domain is pure: it imports nothing from the other layers.' },
        {
          regex: '^@temporalio/(?!common$)',
          message:
            'Domain code runs in workflows and activities alike: of Temporal, only @temporalio/common (no lib/).',
        },
      ];
    case 'workflows':
      return [
        builtinPattern('Workflow code'),
        {
          regex: `^${toSrc}(?!domain/|activities(?:/|$))`,
          message: 'Workflows import only the domain and (as types) the activities.',
        },
        {
          regex: `^${toSrc}activities(?:/|$)`,
          allowTypeImports: true,
          message: 'Workflows see the activities as types only (`import type`), through proxyActivities.',
        },
        {
          regex: `^(?!\\.|node:|@temporalio/(?:workflow|common)$|(?:${BUILTINS})$)`,
          message: 'Workflows import only @temporalio/workflow and @temporalio/common (no lib/ paths).',
        },
      ];
    case 'adapters':
      return [
        outOfSrc,
        simulator,
        above(
          LAYERS.adapters.filter((name) => name !== top),
          'Adapters do not import each other: what two share belongs below them (src/http, src/config, src/domain).',
        ),
        above(higher, uphill),
      ];
    case 'cli':
      return [outOfSrc, simulator];
    default:
      return [outOfSrc, simulator, above(higher, uphill)];
  }
}

/**
 * The simulator's patterns, for its files `depth` folders below simulator/: whatever leaves simulator/ must be one of
 * the shared modules (SIMULATOR_SHARES), and it does not import the package by its name.
 */
function simulatorPatterns(depth) {
  const message = `The simulator stands beside the product and shares only ${SIMULATOR_SHARES.join(', ')}.`;
  return [
    { regex: `^(?:\\.\\./){${depth + 1}}(?!(?:${alternatives(SIMULATOR_SHARES)})$)`, message },
    { regex: '^clipgen(?:/|$)', message },
  ];
}

const DEPTHS = [0, 1, 2, 3];
const layerConfigs = [
  ...Object.entries(LAYERS).flatMap(([layer, tops]) =>
    tops.flatMap((top) =>
      DEPTHS.map((depth) => ({
        files: [depth === 0 ? `src/${top}.ts` : `src/${top}/${'*/'.repeat(depth - 1)}*.ts`],
        rules: { 'no-restricted-imports': ['error', { patterns: layerPatterns(layer, top, depth) }] },
      })),
    ),
  ),
  ...DEPTHS.map((depth) => ({
    files: [`simulator/${'*/'.repeat(depth)}*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: simulatorPatterns(depth) }] },
  })),
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'lib/**',
      'coverage/**',
      '.clipgen/**',
      'bin/**',
      'jest.config.js',
      'jest.reliability.config.js',
      'jest.mutation.config.js',
      'jest.live.config.js',
      'jest.sequencer.js',
      'reports/**',
      '.stryker-tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'object-shorthand': 'error',
    },
  },
  {
    files: ['eslint.config.mjs', 'stryker.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  ...layerConfigs,
);
