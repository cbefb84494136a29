import { modelName, type SimulatedModel } from './model';

/** The fixed date the simulated versions claim to have been pushed. */
const VERSION_CREATED_AT = '2025-01-01T00:00:00.000000Z';

/** A Cog-style OpenAPI schema whose `Input` component is the model's input schema. */
export function openapiSchema(model: SimulatedModel): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  Object.entries(model.schema.properties).forEach(([name, property], order) => {
    properties[name] = { ...property, title: titleCase(name), 'x-order': order };
  });
  return {
    openapi: '3.0.2',
    info: { title: 'Cog', version: '0.1.0' },
    paths: {},
    components: {
      schemas: {
        Input: { type: 'object', title: 'Input', required: [...model.schema.required], properties },
        Output: { type: 'string', title: 'Output', format: 'uri' },
        Status: {
          type: 'string',
          title: 'Status',
          enum: ['starting', 'processing', 'succeeded', 'canceled', 'failed', 'aborted'],
        },
      },
    },
  };
}

function titleCase(name: string): string {
  return name
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

export function versionJson(model: SimulatedModel): Record<string, unknown> {
  return {
    id: model.versionId,
    created_at: VERSION_CREATED_AT,
    cog_version: '0.9.0',
    openapi_schema: openapiSchema(model),
  };
}

export function modelJson(model: SimulatedModel): Record<string, unknown> {
  return {
    url: `https://replicate.com/${modelName(model)}`,
    owner: model.owner,
    name: model.name,
    description: model.description,
    visibility: 'public',
    github_url: null,
    paper_url: null,
    license_url: null,
    run_count: 0,
    cover_image_url: null,
    default_example: null,
    latest_version: versionJson(model),
  };
}
