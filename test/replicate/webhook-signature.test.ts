import { validateWebhook } from 'replicate';
import { signWebhook, verifyWebhook } from '../../src/replicate/webhook-signature';

// Reference §6 (Svix's vector, also used by the replicate client's tests).
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const timestamp = '1614265330';
const body = '{"test": 2432232314}';
const signature = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const sentAt = new Date(Number(timestamp) * 1000);

const headers = (sig = signature, ts = timestamp) => ({
  'webhook-id': id,
  'webhook-timestamp': ts,
  'webhook-signature': sig,
});

describe('webhook signatures', () => {
  it('signs the reference vector', () => {
    expect(signWebhook({ id, timestamp, body }, secret)).toBe(signature);
    expect(signWebhook({ id, timestamp: Number(timestamp), body: Buffer.from(body) }, secret)).toBe(signature);
  });

  it('verifies the reference vector, from plain or fetch headers, string or bytes', () => {
    expect(verifyWebhook({ headers: headers(), rawBody: body, secret, now: sentAt })).toEqual({ ok: true });
    expect(verifyWebhook({ headers: new Headers(headers()), rawBody: Buffer.from(body), secret, now: sentAt })).toEqual(
      {
        ok: true,
      },
    );
  });

  it('accepts any matching entry of a space-separated list', () => {
    const list = `v1,bm90IHRoZSBzaWduYXR1cmU= ${signature} v2,whatever`;
    expect(verifyWebhook({ headers: headers(list), rawBody: body, secret, now: sentAt }).ok).toBe(true);
  });

  it('rejects a changed body, another secret, or a signature without the v1 prefix', () => {
    const tampered = verifyWebhook({ headers: headers(), rawBody: '{"test": 2432232315}', secret, now: sentAt });
    expect(tampered).toEqual({ ok: false, reason: 'no webhook-signature entry matches the body' });
    const otherSecret = 'whsec_' + Buffer.from('another key').toString('base64');
    expect(verifyWebhook({ headers: headers(), rawBody: body, secret: otherSecret, now: sentAt }).ok).toBe(false);
    expect(verifyWebhook({ headers: headers(signature.slice(3)), rawBody: body, secret, now: sentAt }).ok).toBe(false);
  });

  it('rejects timestamps more than five minutes away, either way', () => {
    const late = new Date(sentAt.getTime() + 301_000);
    const early = new Date(sentAt.getTime() - 301_000);
    const justInTime = new Date(sentAt.getTime() + 299_000);

    expect(verifyWebhook({ headers: headers(), rawBody: body, secret, now: late })).toEqual({
      ok: false,
      reason: 'webhook-timestamp is 301 s old (tolerance 300 s)',
    });
    expect(verifyWebhook({ headers: headers(), rawBody: body, secret, now: early }).ok).toBe(false);
    expect(verifyWebhook({ headers: headers(), rawBody: body, secret, now: justInTime }).ok).toBe(true);
    expect(verifyWebhook({ headers: headers(), rawBody: body, secret, now: late, toleranceSeconds: 600 }).ok).toBe(
      true,
    );
  });

  it('rejects missing headers and malformed timestamps', () => {
    expect(verifyWebhook({ headers: { 'webhook-id': id }, rawBody: body, secret, now: sentAt }).ok).toBe(false);
    expect(verifyWebhook({ headers: headers(signature, 'yesterday'), rawBody: body, secret, now: sentAt }).ok).toBe(
      false,
    );
  });

  it("agrees with the replicate client's own validateWebhook on a fresh signature", async () => {
    const freshId = 'msg_fresh';
    const now = Math.floor(Date.now() / 1000);
    const freshBody = JSON.stringify({ id: 'p1', status: 'succeeded' });
    const sig = signWebhook({ id: freshId, timestamp: now, body: freshBody }, secret);

    await expect(
      validateWebhook({ id: freshId, timestamp: String(now), signature: sig, body: freshBody, secret }),
    ).resolves.toBe(true);
    const fresh = { 'webhook-id': freshId, 'webhook-timestamp': String(now), 'webhook-signature': sig };
    expect(verifyWebhook({ headers: fresh, rawBody: freshBody, secret })).toEqual({ ok: true });
  });
});

describe('webhook signature checks, one rule each', () => {
  const verify = (overrides: Partial<Parameters<typeof verifyWebhook>[0]> = {}) =>
    verifyWebhook({ headers: headers(), rawBody: body, secret, now: sentAt, ...overrides });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('refuses a delivery missing only %s', (name) => {
    const partial: Record<string, string> = { ...headers() };
    delete partial[name];
    expect(verify({ headers: partial })).toEqual({
      ok: false,
      reason: 'missing webhook-id, webhook-timestamp or webhook-signature header',
    });
    expect(verify({ headers: { ...headers(), [name]: '   ' } }).ok).toBe(false);
  });

  it('reads header names in any case, the first of repeated values, and trims them', () => {
    const mixed = {
      'Webhook-Id': [id, 'msg_other'],
      'WEBHOOK-TIMESTAMP': ` ${timestamp} `,
      'Webhook-Signature': `${signature}\t`,
    };
    expect(verify({ headers: mixed })).toEqual({ ok: true });
  });

  it.each(['1614265330.5', '-1614265330', '1614265330s', 'x1614265330'])(
    'refuses the timestamp %j: it must be whole Unix seconds',
    (ts) => {
      expect(verify({ headers: headers(signature, ts) })).toEqual({
        ok: false,
        reason: 'webhook-timestamp is not Unix seconds',
      });
    },
  );

  it('accepts a timestamp exactly at the tolerance, either way, and names the distance past it', () => {
    expect(verify({ now: new Date(sentAt.getTime() + 300_000) }).ok).toBe(true);
    expect(verify({ now: new Date(sentAt.getTime() - 300_000) }).ok).toBe(true);
    expect(verify({ now: new Date(sentAt.getTime() - 301_000) })).toEqual({
      ok: false,
      reason: 'webhook-timestamp is 301 s in the future (tolerance 300 s)',
    });
    expect(verify({ now: new Date(sentAt.getTime() + 31_000), toleranceSeconds: 30 })).toEqual({
      ok: false,
      reason: 'webhook-timestamp is 31 s old (tolerance 30 s)',
    });
  });

  it('counts whole seconds of the clock: 300.9 s late is still within 300 s', () => {
    expect(verify({ now: new Date(sentAt.getTime() + 300_900) }).ok).toBe(true);
  });

  it('refuses a secret that decodes to no key, before comparing anything', () => {
    expect(verify({ secret: 'whsec_' })).toEqual({
      ok: false,
      reason: 'the webhook secret is not a whsec_<base64> key',
    });
  });

  it('takes a secret without its whsec_ prefix as the base64 key itself', () => {
    expect(verify({ secret: secret.slice('whsec_'.length) })).toEqual({ ok: true });
  });

  it('ignores entries of other versions, even carrying the right bytes', () => {
    expect(verify({ headers: headers(`v2,${signature.slice(3)}`) }).ok).toBe(false);
    expect(verify({ headers: headers(`v1${signature.slice(3)}`) }).ok).toBe(false);
  });

  it('refuses a signature of the wrong length without throwing', () => {
    expect(verify({ headers: headers('v1,AAAA') })).toEqual({
      ok: false,
      reason: 'no webhook-signature entry matches the body',
    });
  });

  it('finds the matching entry among several separated by any whitespace', () => {
    expect(verify({ headers: headers(`v1,AAAA  \t ${signature}`) }).ok).toBe(true);
  });

  it('signs id, timestamp and body joined by dots: moving a dot changes the signature', () => {
    const moved = signWebhook({ id: `${id}.${timestamp}`, timestamp: '', body }, secret);
    expect(moved).not.toBe(signature);
    expect(signWebhook({ id, timestamp, body: `.${body}` }, secret)).not.toBe(signature);
  });
});
