import type { RequestContext, SimulatorContext } from '../context';
import type { FaultRoute, FaultSubject } from '../faults';
import { sleep } from '../time';
import { defaultErrorBody } from './errors';
import { dropConnection, sendJson } from './respond';

/**
 * Applies `delay`, then `http-error` or `reset` faults for this request. Returns true when a fault
 * answered (or dropped) the request, so the handler must stop.
 */
export async function answeredByFault(
  sim: SimulatorContext,
  { req, res }: RequestContext,
  route: FaultRoute,
  subject: FaultSubject,
): Promise<boolean> {
  const delay = sim.faults.take(route, subject, ['delay']);
  if (delay) await sleep(delay.ms, sim.closing);
  const fault = sim.faults.take(route, subject, ['http-error', 'reset']);
  if (!fault) return false;
  if (fault.kind === 'reset') {
    dropConnection(req, res);
    return true;
  }
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  sendJson(res, fault.status, fault.body ?? defaultErrorBody(fault.status), headers);
  return true;
}

/** Sends the response, unless a `lose-response` fault says the work is done but the answer is lost. */
export function respondUnlessLost(
  sim: SimulatorContext,
  { req, res }: RequestContext,
  route: FaultRoute,
  subject: FaultSubject,
  status: number,
  body: unknown,
): void {
  if (sim.faults.take(route, subject, ['lose-response'])) dropConnection(req, res);
  else sendJson(res, status, body);
}
