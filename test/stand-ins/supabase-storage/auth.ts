import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { StorageErrors, type StorageErrorBody } from './errors';
import { signJwt, verifyJwt } from './jwt';

export type Role = 'service_role' | 'anon';

export interface ProjectKeys {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
}

/** A project's keys: JWTs whose `role` claim Storage reads, signed with the project's secret. */
export function createProjectKeys(): ProjectKeys {
  const jwtSecret = randomBytes(32).toString('hex');
  const issuedAt = Math.floor(Date.now() / 1000);
  const key = (role: Role) => signJwt({ iss: 'supabase-test', role, iat: issuedAt }, jwtSecret);
  return { jwtSecret, anonKey: key('anon'), serviceRoleKey: key('service_role') };
}

export type AuthResult =
  | { ok: true; role: Role; authenticated: boolean }
  | { ok: false; gateway: true; apikeyPresent: boolean }
  | { ok: false; gateway: false; error: StorageErrorBody };

export interface AuthChecks {
  /** The API gateway's check of the `apikey` (header or query); a path proxy to self-hosted Storage has none. */
  apikey: boolean;
  /**
   * Storage's `allowInvalidJwt` routes (GET/HEAD of an object, object info): a missing or invalid JWT makes the
   * request anonymous instead of failing, and anonymous requests see public buckets only.
   */
  jwtOptional: boolean;
}

/**
 * The two checks a request to an authenticated route passes: the gateway's (an `apikey` of this project, header or
 * query) and Storage's (a valid `Authorization: Bearer <JWT>`, whose role decides what row-level security allows).
 * Storage answers a missing or bad JWT with 400 "403" AccessDenied and jose's words ("Invalid Compact JWS").
 */
export function authenticate(request: IncomingMessage, url: URL, keys: ProjectKeys, checks: AuthChecks): AuthResult {
  if (checks.apikey) {
    const apikey = header(request, 'apikey') ?? url.searchParams.get('apikey');
    if (!apikey || (apikey !== keys.anonKey && apikey !== keys.serviceRoleKey)) {
      return { ok: false, gateway: true, apikeyPresent: !!apikey };
    }
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(header(request, 'authorization') ?? '')?.[1];
  const checked = verifyJwt(bearer ?? '', keys.jwtSecret);
  if (!checked.ok) {
    if (checks.jwtOptional) return { ok: true, role: 'anon', authenticated: false };
    return { ok: false, gateway: false, error: StorageErrors.accessDenied(checked.reason) };
  }
  const role = checked.payload.role === 'service_role' ? 'service_role' : 'anon';
  return { ok: true, role, authenticated: true };
}

export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
