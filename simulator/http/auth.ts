import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { unauthenticated, type ErrorBody } from './errors';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Null when the request may proceed, else the 401 body. The token itself never leaves this function. */
export function checkBearer(req: IncomingMessage, acceptedToken: string | undefined): ErrorBody | null {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return unauthenticated(false);
  if (acceptedToken === undefined) return null;
  // Compare digests so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(digest(match[1]), digest(acceptedToken)) ? null : unauthenticated(true);
}
