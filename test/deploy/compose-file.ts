import fs from 'node:fs';

export interface ComposeService {
  name: string;
  /** `build:` present: the service runs clipgen's own image. */
  built: boolean;
  /** Scalar settings directly under the service (image, command, stop_grace_period, …). */
  settings: Record<string, string>;
  environment: Record<string, string>;
}

/**
 * Reads the services of a docker-compose file: enough YAML for this repository's file (two-space indentation, block
 * maps, `environment` as a map or a `- KEY=value` list). Anything else under `environment` throws rather than being
 * skipped, so the config check cannot silently miss a variable.
 */
export function readComposeServices(file: string): ComposeService[] {
  const services: ComposeService[] = [];
  let inServices = false;
  let current: ComposeService | null = null;
  let inEnvironment = false;
  for (const [index, raw] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    const line = raw.replace(/\s+#.*$/, '').trimEnd();
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (/^\t/.test(line)) throw new Error(`${file}:${index + 1}: tabs are not YAML indentation`);
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (indent === 0) {
      inServices = text === 'services:';
      current = null;
      continue;
    }
    if (!inServices) continue;
    if (indent === 2) {
      const name = /^([\w.-]+):$/.exec(text)?.[1];
      if (!name) throw new Error(`${file}:${index + 1}: expected a service name, got "${text}"`);
      current = { name, built: false, settings: {}, environment: {} };
      services.push(current);
      inEnvironment = false;
      continue;
    }
    if (!current) continue;
    if (indent === 4) {
      const [, key, value] = /^([\w.-]+):\s*(.*)$/.exec(text) ?? [];
      if (!key) throw new Error(`${file}:${index + 1}: expected "key: value", got "${text}"`);
      inEnvironment = key === 'environment';
      if (key === 'build') current.built = true;
      if (value) current.settings[key] = unquote(value);
      continue;
    }
    if (inEnvironment && indent === 6) {
      const entry = /^-\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(text) ?? /^([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$/.exec(text);
      if (!entry) throw new Error(`${file}:${index + 1}: unreadable environment entry "${text}"`);
      current.environment[entry[1]] = unquote(entry[2]);
    }
  }
  return services;
}

function unquote(value: string): string {
  const quoted = /^'(.*)'$/.exec(value) ?? /^"(.*)"$/.exec(value);
  return quoted ? quoted[1] : value;
}
