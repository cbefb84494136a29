import type { Handler } from '../context';
import {
  adminAddFaults,
  adminAddSchemaDrift,
  adminClearFaults,
  adminClearSchemaDrift,
  adminListFaults,
  adminListSchemaDrift,
  adminPredictions,
  adminStats,
} from './admin';
import { createByDeployment, createByModel, createByVersion } from './create-prediction';
import { getAccount, getModel, getModelVersion, getWebhookSecret, listModelVersions } from './models';
import { getOutputFile } from './output';
import { cancelPrediction, getPrediction, listPredictions } from './predictions';

export interface RouteSpec {
  methods: string[];
  path: RegExp;
  /** The name requests are counted under in stats, e.g. 'GET /v1/predictions/:id'; null: not counted. */
  endpoint: ((params: string[]) => string) | null;
  /** Requires `Authorization: Bearer`. */
  auth: boolean;
  handler: Handler;
}

const SEGMENT = '([^/]+)';

function api(method: string, path: string, endpoint: (params: string[]) => string, handler: Handler): RouteSpec {
  return { methods: [method], path: new RegExp(`^/v1${path}/?$`), endpoint, auth: true, handler };
}

function admin(method: string, path: string, handler: Handler): RouteSpec {
  return { methods: [method], path: new RegExp(`^/_admin${path}/?$`), endpoint: null, auth: false, handler };
}

export const ROUTES: RouteSpec[] = [
  api('POST', '/predictions', () => 'POST /v1/predictions', createByVersion),
  api('GET', '/predictions', () => 'GET /v1/predictions', listPredictions),
  api('GET', `/predictions/${SEGMENT}`, () => 'GET /v1/predictions/:id', getPrediction),
  api('POST', `/predictions/${SEGMENT}/cancel`, () => 'POST /v1/predictions/:id/cancel', cancelPrediction),
  api(
    'POST',
    `/models/${SEGMENT}/${SEGMENT}/predictions`,
    ([o, n]) => `POST /v1/models/${o}/${n}/predictions`,
    createByModel,
  ),
  api(
    'POST',
    `/deployments/${SEGMENT}/${SEGMENT}/predictions`,
    ([o, n]) => `POST /v1/deployments/${o}/${n}/predictions`,
    createByDeployment,
  ),
  api('GET', `/models/${SEGMENT}/${SEGMENT}`, ([o, n]) => `GET /v1/models/${o}/${n}`, getModel),
  api(
    'GET',
    `/models/${SEGMENT}/${SEGMENT}/versions`,
    ([o, n]) => `GET /v1/models/${o}/${n}/versions`,
    listModelVersions,
  ),
  api(
    'GET',
    `/models/${SEGMENT}/${SEGMENT}/versions/${SEGMENT}`,
    ([o, n]) => `GET /v1/models/${o}/${n}/versions/:id`,
    getModelVersion,
  ),
  api('GET', '/webhooks/default/secret', () => 'GET /v1/webhooks/default/secret', getWebhookSecret),
  api('GET', '/account', () => 'GET /v1/account', getAccount),
  {
    methods: ['GET', 'HEAD'],
    path: new RegExp(`^/delivery/${SEGMENT}/output\\.mp4$`),
    endpoint: () => 'GET /delivery/:id/output.mp4',
    auth: false,
    handler: getOutputFile,
  },
  admin('GET', '/stats', adminStats),
  admin('GET', '/predictions', adminPredictions),
  admin('GET', '/faults', adminListFaults),
  admin('POST', '/faults', adminAddFaults),
  admin('DELETE', '/faults', adminClearFaults),
  admin('GET', '/schema-drift', adminListSchemaDrift),
  admin('POST', '/schema-drift', adminAddSchemaDrift),
  admin('DELETE', '/schema-drift', adminClearSchemaDrift),
];
