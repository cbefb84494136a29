import { randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  let text = '';
  // alphabet lengths 32 and 62 are below 256, so `% length` biases 62 slightly; fine for ids.
  for (const byte of bytes) text += alphabet[byte % alphabet.length];
  return text;
}

/** Prediction ids look like Replicate's: 26 lowercase base32 characters. */
export function newPredictionId(): string {
  return randomString(26, BASE32);
}

/** Webhook message ids look like Svix's (`msg_` + 27 characters); one per message, reused on retries. */
export function newWebhookMessageId(): string {
  return `msg_${randomString(27, BASE62)}`;
}

/** A webhook signing secret in Replicate's format. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
