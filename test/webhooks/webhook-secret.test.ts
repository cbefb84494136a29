import { FailureType } from '../../src/domain/failures';
import { fetchWebhookSecret } from '../../src/replicate/webhook-signature';
import type { Simulator } from '../../simulator';
import { startTestSimulator } from '../simulator/helpers';
import { startScriptedServer } from '../replicate/scripted-server';

let simulator: Simulator;

beforeAll(async () => {
  simulator = await startTestSimulator({ token: 'r8_webhook_secret_test_token' });
});
afterAll(async () => {
  await simulator?.close();
});

describe('fetchWebhookSecret', () => {
  it("fetches the account's signing secret", async () => {
    const secret = await fetchWebhookSecret({ apiToken: 'r8_webhook_secret_test_token', baseUrl: simulator.baseUrl });

    expect(secret).toBe(simulator.webhookSecret);
  });

  it('fails as AuthenticationError on a refused token, naming neither token nor secret', async () => {
    const error = await fetchWebhookSecret({ apiToken: 'r8_wrongwrongwrong', baseUrl: simulator.baseUrl }).catch(
      (err: unknown) => err,
    );

    expect(error).toMatchObject({ type: FailureType.Authentication });
    expect(String((error as Error).message)).not.toContain('r8_wrongwrongwrong');
    expect(String((error as Error).message)).not.toContain(simulator.webhookSecret);
  });

  it('gives up after the request timeout as a RetryableError', async () => {
    const server = await startScriptedServer(() => ({ hang: true }));
    try {
      const started = Date.now();
      const error = await fetchWebhookSecret({
        apiToken: 'r8_x',
        baseUrl: server.baseUrl,
        requestTimeoutMs: 300,
      }).catch((err: unknown) => err);

      expect(error).toMatchObject({ type: FailureType.Retryable });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await server.close();
    }
  });

  it('refuses an answer that is not a whsec_ key', async () => {
    const server = await startScriptedServer(() => ({ status: 200, json: { key: 'plain' } }));
    try {
      await expect(fetchWebhookSecret({ apiToken: 'r8_x', baseUrl: server.baseUrl })).rejects.toMatchObject({
        type: FailureType.Retryable,
      });
    } finally {
      await server.close();
    }
  });
});
