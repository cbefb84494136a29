import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { InvalidField } from '../models/schema';

/** Replicate's error bodies (`{title?, detail, status}`), as in §4 of the Replicate reference. */
export interface ErrorBody {
  title?: string;
  detail: string;
  status: number;
  invalid_fields?: InvalidField[];
}

export function unauthenticated(tokenGiven: boolean): ErrorBody {
  return {
    title: 'Unauthenticated',
    detail: tokenGiven ? 'You did not pass a valid authentication token' : 'You did not pass an authentication token',
    status: 401,
  };
}

export function notFound(): ErrorBody {
  return { detail: 'The requested resource could not be found.', status: 404 };
}

export function methodNotAllowed(method: string): ErrorBody {
  return { detail: `Method "${method}" not allowed.`, status: 405 };
}

export function invalidVersion(): ErrorBody {
  return {
    title: 'Invalid version or not permitted',
    detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
    status: 422,
  };
}

export function inputValidationFailed(fields: InvalidField[]): ErrorBody {
  const detail = fields.map((field) => `- ${field.field || '(root)'}: ${field.description}\n`).join('');
  return { title: 'Input validation failed', status: 422, detail, invalid_fields: fields };
}

export function badRequest(detail: string): ErrorBody {
  return { detail, status: 400 };
}

export function internalError(): ErrorBody {
  return { detail: 'Internal server error', status: 500 };
}

/** What Replicate answers with each status when a test scripts an http-error fault without a body. */
export function defaultErrorBody(status: number): ErrorBody {
  switch (status) {
    case 401:
      return unauthenticated(true);
    case 402:
      return {
        title: 'Insufficient credit',
        detail:
          'You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing ' +
          'to purchase credit. Once you purchase credit, please wait a few minutes before trying again.',
        status,
      };
    case 404:
      return notFound();
    case 422:
      return invalidVersion();
    case 429:
      return { detail: 'Request was throttled. Your rate limit resets in ~30s.', status };
    case 500:
      return internalError();
    case 502:
      return { detail: 'Bad gateway', status };
    case 503:
      return { detail: 'Service unavailable', status };
    default:
      return { detail: `HTTP ${status}`, status };
  }
}

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
