/**
 * The URL Replicate posts a prediction's updates to: `${publicUrl}/replicate?workflowId=…&model=…` (the gateway
 * adds `clipgen_token`). The create activity builds it; the receiver reads the same parameters back.
 */
import { isModelId, type ModelId } from './types';

export const WEBHOOK_PATH = '/replicate';
const WORKFLOW_ID_PARAM = 'workflowId';
const MODEL_PARAM = 'model';
/** Temporal's own limit on workflow id length is far larger; clip workflow ids are ~45 characters. */
const MAX_WORKFLOW_ID_LENGTH = 400;

export interface WebhookTarget {
  workflowId: string;
  model: ModelId;
}

/** The webhook URL for one workflow's prediction on `model`, under the receiver's public origin and path prefix. */
export function predictionWebhookUrl(publicUrl: string, target: WebhookTarget): string {
  const url = new URL(publicUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
  url.searchParams.set(WORKFLOW_ID_PARAM, target.workflowId);
  url.searchParams.set(MODEL_PARAM, target.model);
  return url.toString();
}

export type ParsedTarget = { ok: true; target: WebhookTarget } | { ok: false; reason: string };

/** Reads and checks the workflow id and model of a webhook URL's query. */
export function webhookTargetOf(query: URLSearchParams): ParsedTarget {
  const workflowIds = query.getAll(WORKFLOW_ID_PARAM);
  const models = query.getAll(MODEL_PARAM);
  if (workflowIds.length !== 1 || models.length !== 1) {
    return { ok: false, reason: `the query needs exactly one ${WORKFLOW_ID_PARAM} and one ${MODEL_PARAM}` };
  }
  const [workflowId] = workflowIds;
  const [model] = models;
  // Printable ASCII only: the id goes into a Temporal request and, shortened, into logs.
  if (!workflowId || workflowId.length > MAX_WORKFLOW_ID_LENGTH || !/^[\x21-\x7e]+$/.test(workflowId)) {
    return { ok: false, reason: `${WORKFLOW_ID_PARAM} is not a workflow id` };
  }
  if (!isModelId(model)) return { ok: false, reason: `${MODEL_PARAM} is not a known model` };
  return { ok: true, target: { workflowId, model } };
}
