import {
  CONFIGURATION_DOC,
  configVariableNames,
  documentedVariableNames,
  envExampleVariableNames,
  readmeConfiguration,
} from './config-variables';

const sorted = (names: Set<string>) => [...names].sort();

/**
 * .env.example, the configuration reference (docs/configuration.md) and loadConfig name the same variables, so none
 * can drift; the README's short table names only real ones and points to the reference.
 */
describe('configuration documentation', () => {
  const known = configVariableNames();

  it('finds the variables loadConfig reads', () => {
    for (const name of ['TEMPORAL_ADDRESS', 'REPLICATE_API_TOKEN', 'WORKER_SHUTDOWN_GRACE_TIME', 'SUPABASE_URL']) {
      expect(known.has(name)).toBe(true);
    }
  });

  it('.env.example documents exactly the variables loadConfig reads', () => {
    expect(sorted(envExampleVariableNames())).toEqual(sorted(known));
  });

  it(`${CONFIGURATION_DOC}'s tables list exactly the variables loadConfig reads, each once`, () => {
    expect(sorted(documentedVariableNames())).toEqual(sorted(known));
  });

  it("README's configuration table names only variables loadConfig reads, and links to the reference", () => {
    const readme = readmeConfiguration();
    expect(readme.names.size).toBeGreaterThan(0);
    expect(sorted(readme.names).filter((name) => !known.has(name))).toEqual([]);
    expect(readme.text).toContain(`](${CONFIGURATION_DOC})`);
  });
});
