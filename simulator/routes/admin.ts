import type { Handler } from '../context';
import { parseFault, type Fault } from '../faults';
import { badRequest } from '../http/errors';
import { SIMULATED_MODELS } from '../models/catalogue';
import { parseSchemaDrift, type SchemaDrift } from '../models/drift';
import { readBody, sendJson } from '../http/respond';
import { currentStats, predictionRecords } from '../stats';

export const adminStats: Handler = async (sim, { res }) => {
  sendJson(res, 200, currentStats(sim));
};

export const adminPredictions: Handler = async (sim, { res }) => {
  sendJson(res, 200, predictionRecords(sim));
};

export const adminListFaults: Handler = async (sim, { res }) => {
  sendJson(res, 200, { faults: sim.faults.list() });
};

/** Body: one fault or an array of faults; all are checked before any is added. */
export const adminAddFaults: Handler = async (sim, { req, res }) => {
  let faults: Fault[];
  try {
    const parsed: unknown = JSON.parse(await readBody(req));
    faults = (Array.isArray(parsed) ? parsed : [parsed]).map(parseFault);
  } catch (error) {
    sendJson(res, 400, badRequest(error instanceof SyntaxError ? 'JSON parse error' : (error as Error).message));
    return;
  }
  sim.faults.add(faults);
  sendJson(res, 201, { faults: sim.faults.list() });
};

export const adminClearFaults: Handler = async (sim, { res }) => {
  sim.faults.clear();
  sendJson(res, 200, { faults: [] });
};

export const adminListSchemaDrift: Handler = async (sim, { res }) => {
  sendJson(res, 200, { schemaDrift: sim.schemaDrift.list() });
};

/** Body: one schema drift or an array; all are checked before any applies. */
export const adminAddSchemaDrift: Handler = async (sim, { req, res }) => {
  let drifts: SchemaDrift[];
  try {
    const parsed: unknown = JSON.parse(await readBody(req));
    drifts = (Array.isArray(parsed) ? parsed : [parsed]).map((drift) => parseSchemaDrift(drift, SIMULATED_MODELS));
  } catch (error) {
    sendJson(res, 400, badRequest(error instanceof SyntaxError ? 'JSON parse error' : (error as Error).message));
    return;
  }
  sim.schemaDrift.add(drifts);
  sendJson(res, 201, { schemaDrift: sim.schemaDrift.list() });
};

export const adminClearSchemaDrift: Handler = async (sim, { res }) => {
  sim.schemaDrift.clear();
  sendJson(res, 200, { schemaDrift: [] });
};
