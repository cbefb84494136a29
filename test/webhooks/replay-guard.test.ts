import { SeenWebhookIds } from '../../src/webhooks/delivery';

describe('SeenWebhookIds', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('remembers an id until its time to live has passed', () => {
    const seen = new SeenWebhookIds(10, 600_000, clock);
    seen.remember('msg_a');

    now += 599_999;
    expect(seen.has('msg_a')).toBe(true);
    now += 1;
    expect(seen.has('msg_a')).toBe(false);
    expect(seen.has('msg_b')).toBe(false);
  });

  it('holds at most maxEntries, forgetting the oldest first', () => {
    const seen = new SeenWebhookIds(3, 600_000, clock);
    for (const id of ['1', '2', '3', '4']) {
      seen.remember(id);
      now += 1;
    }

    expect(seen.size).toBe(3);
    expect(['1', '2', '3', '4'].map((id) => seen.has(id))).toEqual([false, true, true, true]);
  });

  it('drops expired entries as new ones arrive, so memory follows the traffic of the last window', () => {
    const seen = new SeenWebhookIds(1000, 100, clock);
    for (let i = 0; i < 500; i++) {
      seen.remember(`msg_${i}`);
      now += 10;
    }

    expect(seen.size).toBeLessThanOrEqual(10);
  });
});
