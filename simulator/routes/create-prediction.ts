import type { Handler, RequestContext, SimulatorContext } from '../context';
import { badRequest, inputValidationFailed, invalidVersion, notFound } from '../http/errors';
import { BodyTooLargeError, readBody, sendJson } from '../http/respond';
import { answeredByFault, respondUnlessLost } from '../http/transport-faults';
import { newPredictionId } from '../ids';
import { findModelByName, resolveVersionReference } from '../models/catalogue';
import { modelName, type SimulatedModel } from '../models/model';
import { validateInput } from '../models/schema';
import { isTerminal } from '../predictions/entry';
import { answerJson } from '../predictions/json';
import { parseDuration, parsePreferWait } from '../time';
import { checkCreateBody, type CreateBody } from './create-body';

/** POST /v1/predictions: community models by version (and official ones by 'owner/name'). */
export const createByVersion: Handler = async (sim, request) => {
  const body = await readCreateBody(request, true);
  if (!body) return;
  const reference = body.version as string;
  const model = resolveVersionReference(reference);
  const subject = model ? { model: modelName(model), modelKey: model.key } : {};
  if (await answeredByFault(sim, request, 'create', subject)) return;
  if (!model || sim.faults.take('create', subject, ['model-unavailable'])) {
    sendJson(request.res, 422, invalidVersion());
    return;
  }
  const version = reference.includes(':') || !reference.includes('/') ? model.versionId : 'hidden';
  await createPrediction(sim, request, model, version, body);
};

/** POST /v1/models/{owner}/{name}/predictions: official models only, like the real API. */
export const createByModel: Handler = async (sim, request) => {
  const [owner, name] = request.params;
  const body = await readCreateBody(request, false);
  if (!body) return;
  const found = findModelByName(owner, name);
  const model = found?.official ? found : undefined;
  const subject = model ? { model: modelName(model), modelKey: model.key } : { model: `${owner}/${name}` };
  if (await answeredByFault(sim, request, 'create', subject)) return;
  if (!model || sim.faults.take('create', subject, ['model-unavailable'])) {
    sendJson(request.res, 404, notFound());
    return;
  }
  await createPrediction(sim, request, model, 'hidden', body);
};

/** POST /v1/deployments/{owner}/{name}/predictions: the simulator has no deployments. */
export const createByDeployment: Handler = async (_sim, request) => {
  await readBody(request.req).catch(() => '');
  sendJson(request.res, 404, notFound());
};

async function readCreateBody(request: RequestContext, byVersion: boolean): Promise<CreateBody | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readBody(request.req));
  } catch (error) {
    const detail = error instanceof BodyTooLargeError ? 'Request body too large' : 'JSON parse error';
    sendJson(request.res, 400, badRequest(detail));
    return null;
  }
  const checked = checkCreateBody(parsed, byVersion);
  if ('problems' in checked) {
    sendJson(request.res, 422, inputValidationFailed(checked.problems));
    return null;
  }
  return checked.body;
}

async function createPrediction(
  sim: SimulatorContext,
  request: RequestContext,
  model: SimulatedModel,
  version: string,
  body: CreateBody,
): Promise<void> {
  const problems = validateInput(body.input, model.schema);
  if (problems.length > 0) {
    sendJson(request.res, 422, inputValidationFailed(problems));
    return;
  }
  const cancelAfterHeader = request.req.headers['cancel-after'];
  const cancelAfterMs = typeof cancelAfterHeader === 'string' ? parseDuration(cancelAfterHeader) : undefined;
  if (cancelAfterMs === null) {
    sendJson(request.res, 400, badRequest('Invalid Cancel-After header: expected a duration such as 90s, 5m or 1h30m'));
    return;
  }
  const subject = { model: modelName(model), modelKey: model.key };
  const fate = sim.faults.take('create', subject, ['prediction-failed', 'never-finish', 'long-run']);
  const coldBoot = sim.faults.take('create', subject, ['cold-boot']);
  const entry = sim.engine.create({
    id: newPredictionId(),
    model,
    version,
    input: body.input,
    webhook: body.webhook,
    webhookEventsFilter: body.webhook_events_filter,
    origin: request.origin,
    outputOrigin: request.outputOrigin,
    cancelAfterMs,
    forcedError: fate?.kind === 'prediction-failed' ? fate.error : undefined,
    neverFinish: fate?.kind === 'never-finish',
    skippedMs: fate?.kind === 'long-run' ? fate.seconds * 1000 : undefined,
    bootMs: coldBoot ? coldBoot.seconds * 1000 : undefined,
  });
  const waitSeconds = parsePreferWait(header(request, 'prefer'));
  if (waitSeconds !== null) {
    const gone = new AbortController();
    request.res.on('close', () => gone.abort());
    await sim.engine.waitForTerminal(entry, waitSeconds * 1000, AbortSignal.any([gone.signal, sim.closing]));
  }
  // 201 carries a finished prediction or an async create; 202 says a `Prefer: wait` ran out first.
  const finished = isTerminal(sim.engine.state(entry).status);
  const status = waitSeconds !== null && !finished ? 202 : 201;
  respondUnlessLost(sim, request, 'create', subject, status, answerJson(sim.engine.json(entry), sim.echoWebhook));
}

function header(request: RequestContext, name: string): string | undefined {
  const value = request.req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
