import { predictionWebhookUrl, webhookTargetOf } from '../../src/domain/webhook-url';

describe('predictionWebhookUrl', () => {
  it('puts the receiver path under the public URL, keeping a path prefix, with the target in the query', () => {
    const url = new URL(
      predictionWebhookUrl('https://hooks.example.com/clipgen/', { workflowId: 'clip-j 1', model: 'svd' }),
    );

    expect(url.origin + url.pathname).toBe('https://hooks.example.com/clipgen/replicate');
    expect(url.searchParams.get('workflowId')).toBe('clip-j 1');
    expect(url.searchParams.get('model')).toBe('svd');
  });

  it('round-trips through webhookTargetOf', () => {
    const url = new URL(predictionWebhookUrl('https://h.example', { workflowId: 'clip-abc-3', model: 'kling-v2.1' }));

    expect(webhookTargetOf(url.searchParams)).toEqual({
      ok: true,
      target: { workflowId: 'clip-abc-3', model: 'kling-v2.1' },
    });
  });
});

describe('webhookTargetOf', () => {
  it.each([
    ['nothing', ''],
    ['no model', 'workflowId=clip-a-0'],
    ['an unknown model', 'workflowId=clip-a-0&model=gpt'],
    ['an empty workflow id', 'workflowId=&model=svd'],
    ['a workflow id with a newline', 'workflowId=clip%0Aforged&model=svd'],
    ['an overlong workflow id', `workflowId=${'a'.repeat(401)}&model=svd`],
    ['two models', 'workflowId=clip-a-0&model=svd&model=cogvideox'],
  ])('rejects %s', (_case, query) => {
    expect(webhookTargetOf(new URLSearchParams(query)).ok).toBe(false);
  });
});
