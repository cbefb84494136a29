import type { Handler } from '../context';
import { notFound } from '../http/errors';
import { sendJson } from '../http/respond';
import { findModelByName } from '../models/catalogue';
import { modelJson, versionJson } from '../models/openapi';

export const getModel: Handler = async (_sim, { res, params: [owner, name] }) => {
  const model = findModelByName(owner, name);
  if (model) sendJson(res, 200, modelJson(model));
  else sendJson(res, 404, notFound());
};

export const listModelVersions: Handler = async (_sim, { res, params: [owner, name] }) => {
  const model = findModelByName(owner, name);
  if (model) sendJson(res, 200, { next: null, previous: null, results: [versionJson(model)] });
  else sendJson(res, 404, notFound());
};

export const getModelVersion: Handler = async (_sim, { res, params: [owner, name, versionId] }) => {
  const model = findModelByName(owner, name);
  if (model && model.versionId === versionId) sendJson(res, 200, versionJson(model));
  else sendJson(res, 404, notFound());
};

export const getWebhookSecret: Handler = async (sim, { res }) => {
  sendJson(res, 200, { key: sim.webhookSecret });
};
