import type { Handler } from '../context';
import { notFound } from '../http/errors';
import { sendJson } from '../http/respond';
import { findModelByName } from '../models/catalogue';
import { modelJson, versionJson } from '../models/openapi';

// Each model has one version, whose schema is the model's own with the simulator's schema drifts applied.

export const getModel: Handler = async (sim, { res, params: [owner, name] }) => {
  const model = findModelByName(owner, name);
  if (model) sendJson(res, 200, modelJson(model, sim.schemaDrift.schemaOf(model)));
  else sendJson(res, 404, notFound());
};

export const listModelVersions: Handler = async (sim, { res, params: [owner, name] }) => {
  const model = findModelByName(owner, name);
  const versions = model ? [versionJson(model, sim.schemaDrift.schemaOf(model))] : null;
  if (versions) sendJson(res, 200, { next: null, previous: null, results: versions });
  else sendJson(res, 404, notFound());
};

export const getModelVersion: Handler = async (sim, { res, params: [owner, name, versionId] }) => {
  const model = findModelByName(owner, name);
  if (model && model.versionId === versionId) sendJson(res, 200, versionJson(model, sim.schemaDrift.schemaOf(model)));
  else sendJson(res, 404, notFound());
};

export const getWebhookSecret: Handler = async (sim, { res }) => {
  sendJson(res, 200, { key: sim.webhookSecret });
};

/** GET /v1/account: the account the token belongs to (any accepted token is this one account). */
export const getAccount: Handler = async (_sim, { res }) => {
  sendJson(res, 200, { type: 'user', username: 'clipgen-simulator', name: 'clipgen simulator', github_url: null });
};
