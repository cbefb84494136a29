import {
  TEMPORAL_CLI,
  TEMPORAL_INSTALL_HINT,
  TEMPORAL_TEST_SERVER,
  findTemporalBinary,
  type BinaryLookup,
} from '../../src/temporal/dev-server';

/** Temporal's time-skipping test server; undefined means "let the SDK download it" (never in CI). */
export function findTemporalTestServer(): string | undefined {
  return findRequiredInCi(TEMPORAL_TEST_SERVER);
}

/** The Temporal CLI (`temporal server start-dev`, with the Web UI); undefined means "let the SDK download it". */
export function findTemporalCli(): string | undefined {
  return findRequiredInCi(TEMPORAL_CLI);
}

export function isCi(): boolean {
  const ci = process.env.CI?.trim().toLowerCase();
  return !!ci && ci !== 'false' && ci !== '0';
}

function findRequiredInCi(lookup: BinaryLookup): string | undefined {
  const path = findTemporalBinary(lookup);
  if (!path && isCi()) {
    throw new Error(
      `CI is set and the \`${lookup.command}\` binary was not found (checked ${lookup.envVar}, then PATH). ` +
        `${TEMPORAL_INSTALL_HINT}, or set ${lookup.envVar} to the binary's path. ` +
        'CI never falls back to downloading it.',
    );
  }
  return path;
}
