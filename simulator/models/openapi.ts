import { modelName, type SimulatedModel } from './model';
import type { InputSchema } from './schema';

/** The fixed date the simulated versions claim to have been pushed. */
const VERSION_CREATED_AT = '2025-01-01T00:00:00.000000Z';

/**
 * A Cog-style OpenAPI schema whose `Input` component is the model's input schema (`schema`: as its version now
 * serves it, drifts applied). As Cog writes it, an enum input is `allOf: [{ $ref }]` to a component of its own
 * name holding `type` and `enum`, beside the input's `default` and `description`.
 */
export function openapiSchema(model: SimulatedModel, schema: InputSchema = model.schema): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const enums: Record<string, unknown> = {};
  Object.entries(schema.properties).forEach(([name, property], order) => {
    if (property.enum) {
      const { type, enum: values, ...rest } = property;
      enums[name] = { type, title: name, description: 'An enumeration.', enum: [...values] };
      properties[name] = { ...rest, allOf: [{ $ref: `#/components/schemas/${name}` }], 'x-order': order };
    } else {
      properties[name] = { ...property, title: titleCase(name), 'x-order': order };
    }
  });
  return {
    openapi: '3.0.2',
    info: { title: 'Cog', version: '0.1.0' },
    paths: {},
    components: {
      schemas: {
        Input: { type: 'object', title: 'Input', required: [...schema.required], properties },
        Output: { type: 'string', title: 'Output', format: 'uri' },
        Status: {
          type: 'string',
          title: 'Status',
          enum: ['starting', 'processing', 'succeeded', 'canceled', 'failed', 'aborted'],
        },
        ...enums,
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

export function versionJson(model: SimulatedModel, schema: InputSchema = model.schema): Record<string, unknown> {
  return {
    id: model.versionId,
    created_at: VERSION_CREATED_AT,
    cog_version: '0.9.0',
    openapi_schema: openapiSchema(model, schema),
  };
}

export function modelJson(model: SimulatedModel, schema: InputSchema = model.schema): Record<string, unknown> {
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
    latest_version: versionJson(model, schema),
  };
}
