import { ConfigError, loadConfig, redactConfig } from '../../src/config';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('webhook configuration', () => {
  it('is off by default: no public URL, no fallback poll interval, receiver on 127.0.0.1:8788', () => {
    expect(loadConfig({}, '/tmp').webhooks).toEqual({
      publicUrl: null,
      secret: null,
      host: '127.0.0.1',
      port: 8788,
      fallbackPollIntervalMs: null,
      inWorker: false,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        WEBHOOK_PUBLIC_URL: 'https://hooks.example.com/clipgen/',
        REPLICATE_WEBHOOK_SECRET: SECRET,
        WEBHOOK_HOST: '0.0.0.0',
        WEBHOOK_PORT: '9000',
        WEBHOOK_FALLBACK_POLL_INTERVAL: '2m',
        WEBHOOKS_IN_WORKER: 'true',
      },
      '/tmp',
    );

    expect(config.webhooks).toEqual({
      publicUrl: 'https://hooks.example.com/clipgen',
      secret: SECRET,
      host: '0.0.0.0',
      port: 9000,
      fallbackPollIntervalMs: 120_000,
      inWorker: true,
    });
  });

  it('reports every bad value at once, without echoing the secret', () => {
    const attempt = () =>
      loadConfig(
        {
          WEBHOOK_PUBLIC_URL: 'ftp://x',
          REPLICATE_WEBHOOK_SECRET: 'sk_not-a-whsec-secret',
          WEBHOOK_PORT: '70000',
          WEBHOOK_FALLBACK_POLL_INTERVAL: 'soon',
          WEBHOOKS_IN_WORKER: 'true',
        },
        '/tmp',
      );

    expect(attempt).toThrow(ConfigError);
    const problems = (() => {
      try {
        attempt();
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    })();
    const text = problems.join('\n');
    for (const name of [
      'WEBHOOK_PUBLIC_URL',
      'REPLICATE_WEBHOOK_SECRET',
      'WEBHOOK_PORT',
      'WEBHOOK_FALLBACK_POLL_INTERVAL',
      'WEBHOOKS_IN_WORKER',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('sk_not-a-whsec-secret');
  });

  it('prints the secret only as "(set)"', () => {
    const config = loadConfig({ REPLICATE_WEBHOOK_SECRET: SECRET }, '/tmp');

    expect(JSON.stringify(redactConfig(config))).not.toContain(SECRET);
    expect(redactConfig(config)).toMatchObject({ webhooks: { secret: '(set)' } });
  });
});
