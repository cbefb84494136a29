import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';

let dir: string;

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'clipgen-tls-'));
  for (const name of ['client.pem', 'client.key', 'ca.pem']) {
    await fs.promises.writeFile(path.join(dir, name), `-----BEGIN ${name}-----\n`);
  }
});

afterAll(async () => {
  await fs.promises.rm(dir, { recursive: true, force: true });
});

const optionsFor = (env: Record<string, string>) => temporalConnectionOptions(loadConfig(env, dir).temporal);

/** How the CLI and the worker connect: plain, API key (Temporal Cloud), mTLS, or TLS with a private CA. */
describe('temporalConnectionOptions', () => {
  it('connects in plain text to localhost:7233 by default', () => {
    expect(optionsFor({})).toEqual({ address: 'localhost:7233' });
  });

  it('uses TLS with an API key', () => {
    expect(optionsFor({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key' })).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      apiKey: 'key',
      tls: true,
    });
  });

  it('presents the client certificate, trusts the given CA and overrides the server name', () => {
    const options = optionsFor({
      TEMPORAL_TLS_CERT_PATH: 'client.pem',
      TEMPORAL_TLS_KEY_PATH: path.join(dir, 'client.key'),
      TEMPORAL_TLS_CA_PATH: 'ca.pem',
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });

    expect(options.tls).toEqual({
      clientCertPair: {
        crt: Buffer.from('-----BEGIN client.pem-----\n'),
        key: Buffer.from('-----BEGIN client.key-----\n'),
      },
      serverRootCACertificate: Buffer.from('-----BEGIN ca.pem-----\n'),
      serverNameOverride: 'temporal.internal',
    });
  });

  it('uses server-only TLS with a private CA and no client certificate', () => {
    expect(optionsFor({ TEMPORAL_TLS_CA_PATH: 'ca.pem' }).tls).toEqual({
      serverRootCACertificate: Buffer.from('-----BEGIN ca.pem-----\n'),
    });
  });

  it('reports an unreadable certificate as a configuration error naming its variable', () => {
    expect(() => optionsFor({ TEMPORAL_TLS_CERT_PATH: 'missing.pem', TEMPORAL_TLS_KEY_PATH: 'client.key' })).toThrow(
      ConfigError,
    );
    expect(() => optionsFor({ TEMPORAL_TLS_CERT_PATH: 'missing.pem', TEMPORAL_TLS_KEY_PATH: 'client.key' })).toThrow(
      /TEMPORAL_TLS_CERT_PATH=.*missing\.pem cannot be read \(ENOENT\)/,
    );
  });
});
