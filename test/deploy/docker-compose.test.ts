import path from 'node:path';
import { msToNumber } from '@temporalio/common/lib/time';
import { configVariableNames } from '../config/config-variables';
import { readComposeServices } from './compose-file';

const COMPOSE_FILE = path.join(__dirname, '..', '..', 'docker-compose.yml');

/** docker-compose.yml's clipgen services speak src/config.ts (`.ci/run` also checks it parses: `docker-compose config`). */
describe('docker-compose.yml', () => {
  const services = readComposeServices(COMPOSE_FILE);
  const byName = (name: string) => services.find((service) => service.name === name);

  it('runs the stack the README describes', () => {
    expect(services.map((service) => service.name).sort()).toEqual([
      'clipgen-worker',
      'ledger-postgresql',
      'simulator',
      'temporal',
      'temporal-database-setup',
      'temporal-postgresql',
      'temporal-setup',
      'temporal-ui',
    ]);
    expect(services.filter((service) => service.built).map((service) => service.name)).toEqual([
      'simulator',
      'clipgen-worker',
    ]);
  });

  it('sets only variables loadConfig knows on the services built from clipgen', () => {
    const known = configVariableNames();
    for (const service of services.filter((candidate) => candidate.built)) {
      const unknown = Object.keys(service.environment).filter((name) => !known.has(name));
      expect({ service: service.name, unknown }).toEqual({ service: service.name, unknown: [] });
    }
    expect(Object.keys(byName('clipgen-worker')?.environment ?? {})).toEqual(
      expect.arrayContaining(['TEMPORAL_ADDRESS', 'DATABASE_URL', 'REPLICATE_API_TOKEN', 'REPLICATE_SIMULATOR_URL']),
    );
  });

  it('points the worker at the simulator service, whose links name a host the worker reaches', () => {
    const worker = byName('clipgen-worker')!;
    const simulator = byName('simulator')!;
    const simulatorUrl = new URL(worker.environment.REPLICATE_SIMULATOR_URL);

    expect(simulatorUrl.hostname).toBe('simulator');
    expect(simulator.settings.command).toContain(`--port ${simulatorUrl.port}`);
    expect(simulator.settings.command).toContain(`--public-url http://simulator:${simulatorUrl.port}`);
    expect(worker.environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(new URL(worker.environment.DATABASE_URL).hostname).toBe('ledger-postgresql');
  });

  it('gives the worker longer to stop than its shutdown grace time', () => {
    const worker = byName('clipgen-worker')!;
    const grace = msToNumber(worker.environment.WORKER_SHUTDOWN_GRACE_TIME as '30s');
    const stop = msToNumber(worker.settings.stop_grace_period as '45s');
    expect(stop).toBeGreaterThan(grace);
  });
});
