import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProjectKeys, Role } from './auth';
import type { Faults } from './faults';
import type { ObjectStore } from './store';
import type { TusUploads } from './tus-uploads';

export interface StorageLimits {
  /** The project's global limit (FILE_SIZE_LIMIT); bucket limits cannot exceed it. */
  fileSizeLimit: number;
  /** UPLOAD_FILE_SIZE_LIMIT_STANDARD: standard (non-TUS) uploads only. */
  standardUploadLimit: number;
}

/**
 * What stands in front of the Storage API server. Supabase's API gateway checks the `apikey` and tells Storage its
 * public path prefix (`X-Forwarded-Prefix: /storage/v1`); a self-hosted Storage API server behind a plain path
 * proxy gets neither, unless the proxy is set up to send the prefix.
 */
export interface Gateway {
  checksApikey: boolean;
  sendsForwardedPrefix: boolean;
}

/** What every route handler can reach. */
export interface ServerState {
  store: ObjectStore;
  keys: ProjectKeys;
  faults: Faults;
  limits: StorageLimits;
  tus: TusUploads;
  gateway: Gateway;
}

export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** Path segments after the route's literal part, percent-decoded. */
  params: string[];
  /** Set on authenticated routes; `anon` also when a route that tolerates it got no valid JWT. */
  role: Role;
  /** The request carried a valid JWT (routes that tolerate none serve only public buckets without one). */
  authenticated: boolean;
  /** From a drop-after fault: cut the connection after this many body bytes. */
  dropAfter?: number;
}

/** The smaller of the global limit and the bucket's own. */
export function bucketLimit(state: ServerState, bucketLimitBytes: number | null): number {
  return Math.min(state.limits.fileSizeLimit, bucketLimitBytes ?? Infinity);
}

/** `video/mp4` against a bucket's allow-list, which may hold wildcards such as `video/*`. */
export function mimeTypeAllowed(allowed: string[] | null, contentType: string): boolean {
  if (!allowed || allowed.length === 0) return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return allowed.some((entry) => {
    const rule = entry.toLowerCase();
    return rule === type || (rule.endsWith('/*') && type.startsWith(rule.slice(0, -1)));
  });
}
