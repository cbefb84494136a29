import { createHmac, timingSafeEqual } from 'node:crypto';

/** HS256 JWTs, as Supabase signs its API keys and signed-URL tokens. */
export function signJwt(payload: Record<string, unknown>, secret: string): string {
  const head = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(payload));
  return `${head}.${body}.${signature(`${head}.${body}`, secret)}`;
}

export type JwtCheck = { ok: true; payload: Record<string, unknown> } | { ok: false; reason: string };

/** The payload, or the reason jose would give (storage passes those words on in its 403/400 bodies). */
export function verifyJwt(token: string, secret: string, now = Date.now()): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'Invalid Compact JWS' };
  const expected = Buffer.from(signature(`${parts[0]}.${parts[1]}`, secret));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'signature verification failed' };
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'Invalid Compact JWS' };
  }
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= now) {
    return { ok: false, reason: '"exp" claim timestamp check failed' };
  }
  return { ok: true, payload };
}

function signature(input: string, secret: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
