import { configVariableNames, envExampleVariableNames, readmeVariableNames } from './config-variables';

const sorted = (names: Set<string>) => [...names].sort();

/** .env.example, the README's configuration table and loadConfig name the same variables, so none can drift. */
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

  it("README's configuration table lists exactly the variables loadConfig reads", () => {
    expect(sorted(readmeVariableNames())).toEqual(sorted(known));
  });
});
