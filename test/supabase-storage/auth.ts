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
  | { ok: true; role: Role }
  | { ok: false; gateway: true; apikeyPresent: boolean }
  | { ok: false; gateway: false; error: StorageErrorBody };

/**
 * The two checks a request to an authenticated route passes: the gateway's (an `apikey` of this project, header or
 * query) and Storage's (a valid `Authorization: Bearer <JWT>`, whose role decides what row-level security allows).
 */
export function authenticate(request: IncomingMessage, url: URL, keys: ProjectKeys): AuthResult {
  const apikey = header(request, 'apikey') ?? url.searchParams.get('apikey');
  if (!apikey || (apikey !== keys.anonKey && apikey !== keys.serviceRoleKey)) {
    return { ok: false, gateway: true, apikeyPresent: !!apikey };
  }
  const bearer = /^Bearer (.+)$/i.exec(header(request, 'authorization') ?? '')?.[1];
  if (!bearer) return { ok: false, gateway: false, error: StorageErrors.accessDenied('Invalid Compact JWS') };
  const checked = verifyJwt(bearer, keys.jwtSecret);
  if (!checked.ok) return { ok: false, gateway: false, error: StorageErrors.accessDenied(checked.reason) };
  const role = checked.payload.role === 'service_role' ? 'service_role' : 'anon';
  return { ok: true, role };
}

export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
