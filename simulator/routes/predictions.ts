import type { Handler, RequestContext, SimulatorContext } from '../context';
import type { FaultSubject } from '../faults';
import { badRequest, notFound } from '../http/errors';
import { sendJson } from '../http/respond';
import { answeredByFault, respondUnlessLost } from '../http/transport-faults';
import { modelName } from '../models/model';
import type { PredictionEntry } from '../predictions/entry';
import { answerJson } from '../predictions/json';
import { InvalidCursorError } from '../predictions/store';

function subjectOf(entry: PredictionEntry | undefined): FaultSubject {
  return entry ? { model: modelName(entry.model), modelKey: entry.model.key } : {};
}

async function findForRoute(
  sim: SimulatorContext,
  request: RequestContext,
  route: 'get' | 'cancel',
): Promise<PredictionEntry | null> {
  const entry = sim.store.get(request.params[0]);
  if (await answeredByFault(sim, request, route, subjectOf(entry))) return null;
  if (!entry) {
    sendJson(request.res, 404, notFound());
    return null;
  }
  return entry;
}

export const getPrediction: Handler = async (sim, request) => {
  const entry = await findForRoute(sim, request, 'get');
  if (!entry) return;
  respondUnlessLost(sim, request, 'get', subjectOf(entry), 200, answerJson(sim.engine.json(entry), sim.echoWebhook));
};

export const cancelPrediction: Handler = async (sim, request) => {
  const entry = await findForRoute(sim, request, 'cancel');
  if (!entry) return;
  const slow = sim.faults.take('cancel', subjectOf(entry), ['slow-cancel']);
  sim.engine.cancel(entry, slow?.ms ?? 0);
  sim.stats.cancels += 1;
  respondUnlessLost(sim, request, 'cancel', subjectOf(entry), 200, answerJson(sim.engine.json(entry), sim.echoWebhook));
};

/** GET /v1/predictions: newest first, 100 per page, absolute cursors, created_after/created_before. */
export const listPredictions: Handler = async (sim, request) => {
  if (await answeredByFault(sim, request, 'list', {})) return;
  const query = request.url.searchParams;
  const createdAfterMs = parseTime(query.get('created_after'));
  const createdBeforeMs = parseTime(query.get('created_before'));
  if (Number.isNaN(createdAfterMs) || Number.isNaN(createdBeforeMs)) {
    sendJson(request.res, 400, badRequest('created_after and created_before must be ISO 8601 date-times'));
    return;
  }
  let page;
  try {
    page = sim.store.page({ cursor: query.get('cursor') ?? undefined, createdAfterMs, createdBeforeMs });
  } catch (error) {
    if (!(error instanceof InvalidCursorError)) throw error;
    sendJson(request.res, 400, badRequest('Invalid cursor'));
    return;
  }
  const linkTo = (cursor: string | null) => {
    if (cursor === null) return null;
    const link = new URL(`${request.origin}/v1/predictions`);
    for (const name of ['created_after', 'created_before']) {
      const value = query.get(name);
      if (value !== null) link.searchParams.set(name, value);
    }
    link.searchParams.set('cursor', cursor);
    return link.toString();
  };
  respondUnlessLost(sim, request, 'list', {}, 200, {
    next: linkTo(page.nextCursor),
    previous: linkTo(page.previousCursor),
    results: page.entries.map((entry) => answerJson(sim.engine.json(entry), sim.echoWebhook)),
  });
};

/** Milliseconds, undefined when absent, NaN when unreadable. */
function parseTime(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  return Date.parse(text);
}
