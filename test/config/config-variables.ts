import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';

const ROOT = path.join(__dirname, '..', '..');

/** Environments that reach loadConfig's conditional reads (a variable read only when another one is set). */
const SCENARIOS: Array<Record<string, string>> = [
  {},
  { STORAGE_BACKEND: 'supabase' },
  { REPLICATE_SIMULATOR_URL: 'http://simulator:8787/v1' },
  { TEMPORAL_TLS_CERT_PATH: 'cert.pem', TEMPORAL_TLS_KEY_PATH: 'key.pem' },
];

/**
 * Every variable loadConfig knows: those it reads (observed through a recording environment, in each scenario) and
 * those named in `read.<kind>('NAME')` calls in src/config.ts and src/config/ (which also finds conditional reads).
 */
export function configVariableNames(): Set<string> {
  const names = new Set<string>();
  for (const scenario of SCENARIOS) {
    const recording = new Proxy(scenario, {
      get(target, key) {
        if (typeof key === 'string') names.add(key);
        return Reflect.get(target, key);
      },
    });
    try {
      loadConfig(recording, ROOT);
    } catch {
      // A scenario may be incomplete (e.g. supabase without its key); only the names matter here.
    }
  }
  for (const file of configSources()) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(/\bread\.\w+\(\s*'([A-Z][A-Z0-9_]*)'/g)) {
      names.add(match[1]);
    }
  }
  return names;
}

function configSources(): string[] {
  const dir = path.join(ROOT, 'src', 'config');
  const nested = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.ts')) : [];
  return [path.join(ROOT, 'src', 'config.ts'), ...nested.map((name) => path.join(dir, name))];
}

/** Variables in .env.example, set (`NAME=…`) or commented out with their default (`# NAME=…`). */
export function envExampleVariableNames(): Set<string> {
  const text = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
}

/** The first column of every row of a Markdown table in `text` whose first cell is a `VARIABLE`, in order. */
function tableVariables(text: string): string[] {
  return [...text.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((match) => match[1]);
}

/** The configuration reference: docs/configuration.md, whose tables list every variable, each once. */
export const CONFIGURATION_DOC = path.join('docs', 'configuration.md');

/** The variables the tables of docs/configuration.md list (a variable listed twice is an error). */
export function documentedVariableNames(): Set<string> {
  const names = tableVariables(fs.readFileSync(path.join(ROOT, CONFIGURATION_DOC), 'utf8'));
  if (names.length === 0) throw new Error(`${CONFIGURATION_DOC} has no table of variables`);
  const twice = names.filter((name, i) => names.indexOf(name) !== i);
  if (twice.length > 0) throw new Error(`${CONFIGURATION_DOC} lists ${twice.join(', ')} more than once`);
  return new Set(names);
}

/** The README's "### Configuration" section: the first column of its table, and the section's text. */
export function readmeConfiguration(): { names: Set<string>; text: string } {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const text = readme.split(/^### Configuration\s*$/m)[1]?.split(/^#{1,3} /m)[0];
  if (!text) throw new Error('README.md has no "### Configuration" section');
  return { names: new Set(tableVariables(text)), text };
}
