/**
 * Schema drift: what a model's published input schema (its version's `openapi_schema.components.schemas.Input`)
 * no longer accepts of what the catalogue plans to send it (`ModelSpec.inputs`). Pure, for `clipgen doctor`.
 */
import type { PlannedInput, PlannedInputs } from './model-spec';

export type SchemaDriftKind =
  /** A planned input the schema no longer has. */
  | 'missing-input'
  /** A planned input the schema no longer has, and a new required input of the same type: most likely its new name. */
  | 'renamed-input'
  | 'type-changed'
  /** A value the plan may send is outside the schema's enum (or the input became an enum). */
  | 'enum-value-not-allowed'
  /** The schema's minimum or maximum cuts off values the plan may send. */
  | 'range-narrowed'
  /** An input the plan never sends is now required. */
  | 'new-required-input'
  /** An input the plan sends only sometimes is now required. */
  | 'now-required';

export interface SchemaDrift {
  /** The Replicate input name (for `renamed-input`, the old one). */
  field: string;
  kind: SchemaDriftKind;
  /** One line for operators, naming the field and what changed. */
  message: string;
  /** `renamed-input`: the new name. */
  renamedTo?: string;
  /** `enum-value-not-allowed`: the planned values the schema refuses. */
  refused?: (string | number)[];
}

/** A property of the Input schema with `$ref`/`allOf`/`anyOf` resolved: the parts compared. */
export interface ResolvedProperty {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

export interface ResolvedInputSchema {
  properties: Record<string, ResolvedProperty>;
  required: string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The `Input` schema of a version's `openapi_schema`, each property resolved the way Cog writes them: an enum as
 * `allOf: [{ $ref: '#/components/schemas/<name>' }]` beside its `default` and `description`, an optional
 * value as `anyOf` with `{ type: 'null' }`. Null when the document has no Input object schema.
 */
export function resolveInputSchema(openapiSchema: unknown): ResolvedInputSchema | null {
  const schemas =
    isObject(openapiSchema) && isObject(openapiSchema.components) ? openapiSchema.components.schemas : null;
  if (!isObject(schemas) || !isObject(schemas.Input)) return null;
  const input = resolve(schemas.Input, schemas, 0);
  const properties: Record<string, ResolvedProperty> = {};
  if (isObject(input.properties)) {
    for (const [name, raw] of Object.entries(input.properties)) {
      if (isObject(raw)) properties[name] = resolvedProperty(resolve(raw, schemas, 0));
    }
  }
  const required = Array.isArray(input.required)
    ? input.required.filter((n): n is string => typeof n === 'string')
    : [];
  return { properties, required };
}

/** Merges `$ref`, `allOf` and the one non-null `anyOf`/`oneOf` branch into the schema (its own keys win). */
function resolve(schema: Json, schemas: Json, depth: number): Json {
  if (depth > 8) return schema;
  let merged: Json = {};
  const parts: unknown[] = [];
  if (typeof schema.$ref === 'string') parts.push(referenced(schema.$ref, schemas));
  if (Array.isArray(schema.allOf)) parts.push(...schema.allOf);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = Array.isArray(schema[key]) ? (schema[key] as unknown[]).filter(notNullType) : [];
    if (branches.length === 1) parts.push(branches[0]);
  }
  for (const part of parts) if (isObject(part)) merged = { ...merged, ...resolve(part, schemas, depth + 1) };
  const own = { ...schema };
  for (const key of ['$ref', 'allOf', 'anyOf', 'oneOf']) if (parts.length > 0) delete own[key];
  return { ...merged, ...own };
}

function referenced(ref: string, schemas: Json): unknown {
  const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
  return match ? schemas[decodeURIComponent(match[1])] : undefined;
}

function notNullType(branch: unknown): boolean {
  return !(isObject(branch) && branch.type === 'null');
}

function resolvedProperty(schema: Json): ResolvedProperty {
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  const property: ResolvedProperty = {};
  if (typeof schema.type === 'string') property.type = schema.type;
  if (Array.isArray(schema.enum)) property.enum = schema.enum;
  // OpenAPI 3.0 writes an exclusive bound as a boolean beside minimum/maximum; 3.1 as the bound itself.
  const minimum = number(schema.minimum);
  const maximum = number(schema.maximum);
  if (schema.exclusiveMinimum === true && minimum !== undefined) property.exclusiveMinimum = minimum;
  else if (minimum !== undefined) property.minimum = minimum;
  if (schema.exclusiveMaximum === true && maximum !== undefined) property.exclusiveMaximum = maximum;
  else if (maximum !== undefined) property.maximum = maximum;
  property.exclusiveMinimum ??= number(schema.exclusiveMinimum);
  property.exclusiveMaximum ??= number(schema.exclusiveMaximum);
  return property;
}

/** Every way the schema drifted from the planned inputs, in the planned inputs' order, then new required inputs. */
export function compareInputs(planned: PlannedInputs, schema: ResolvedInputSchema): SchemaDrift[] {
  const drift: SchemaDrift[] = [];
  const required = new Set(schema.required);
  const newInputs = Object.keys(schema.properties).filter((name) => !(name in planned));
  const newRequired = newInputs.filter((name) => required.has(name));
  const claimed = new Set<string>();

  for (const [field, input] of Object.entries(planned)) {
    const property = schema.properties[field];
    if (!property) {
      drift.push(missingInput(field, input, schema, newInputs, newRequired, claimed));
      continue;
    }
    drift.push(...propertyDrift(field, input, property));
    if (input.sent === 'sometimes' && required.has(field)) {
      drift.push({
        field,
        kind: 'now-required',
        message: `input ${field} is now required; clipgen sends it only when a clip or setting asks for it`,
      });
    }
  }
  for (const field of newRequired) {
    if (claimed.has(field)) continue;
    drift.push({
      field,
      kind: 'new-required-input',
      message: `input ${field} is new and required; clipgen never sends it`,
    });
  }
  return drift;
}

function missingInput(
  field: string,
  input: PlannedInput,
  schema: ResolvedInputSchema,
  newInputs: string[],
  newRequired: string[],
  claimed: Set<string>,
): SchemaDrift {
  const sameType = (name: string) => typeCompatible(input.type, schema.properties[name].type);
  const renamedTo = newRequired.find((name) => !claimed.has(name) && sameType(name));
  const sent = input.sent === 'always' ? 'every create sends it' : 'sent when a clip or setting asks for it';
  if (renamedTo !== undefined) {
    claimed.add(renamedTo);
    return {
      field,
      kind: 'renamed-input',
      renamedTo,
      message: `input ${field} is gone and ${renamedTo} (${describeType(schema.properties[renamedTo])}) is new and required: renamed to ${renamedTo}? (${sent})`,
    };
  }
  const others = newInputs.filter((name) => !claimed.has(name) && sameType(name));
  const hint = others.length > 0 ? `; new inputs of the same type: ${others.join(', ')}` : '';
  return { field, kind: 'missing-input', message: `input ${field} is no longer in the schema (${sent})${hint}` };
}

function propertyDrift(field: string, input: PlannedInput, property: ResolvedProperty): SchemaDrift[] {
  if (!typeCompatible(input.type, property.type)) {
    return [
      {
        field,
        kind: 'type-changed',
        message: `input ${field} is now ${describeType(property)}; clipgen sends ${input.type === 'integer' ? 'an integer' : `a ${input.type}`}`,
      },
    ];
  }
  const drift: SchemaDrift[] = [];
  if (property.enum) {
    const allowed = property.enum;
    const shownAllowed = allowed.map((value) => JSON.stringify(value)).join(', ');
    if (input.values) {
      const refused = input.values.filter((value) => !allowed.includes(value));
      if (refused.length > 0) {
        const shown = refused.map((value) => JSON.stringify(value)).join(', ');
        drift.push({
          field,
          kind: 'enum-value-not-allowed',
          refused,
          message: `input ${field}: ${refused.length === 1 ? 'value' : 'values'} ${shown} no longer allowed (allowed: ${shownAllowed})`,
        });
      }
    } else if (input.type !== 'boolean') {
      const sent = input.range ? `any value from ${input.range.min} to ${input.range.max}` : 'free values';
      drift.push({
        field,
        kind: 'enum-value-not-allowed',
        message: `input ${field} is now limited to ${shownAllowed}; clipgen may send ${sent}`,
      });
    }
  }
  const extent = plannedExtent(input);
  if (extent) {
    const narrowed = rangeNarrowed(extent, property);
    if (narrowed) {
      drift.push({
        field,
        kind: 'range-narrowed',
        message: `input ${field}: range narrowed to ${narrowed}; clipgen may send ${extent.min}–${extent.max}`,
      });
    }
  }
  return drift;
}

/** The smallest and largest number the plan may send, when it sends numbers. */
function plannedExtent(input: PlannedInput): { min: number; max: number } | null {
  if (input.range) return input.range;
  const numbers = (input.values ?? []).filter((value): value is number => typeof value === 'number');
  return numbers.length > 0 ? { min: Math.min(...numbers), max: Math.max(...numbers) } : null;
}

/** The schema's bounds, written out, when they cut off part of `extent`; null when all of it is allowed. */
function rangeNarrowed(extent: { min: number; max: number }, property: ResolvedProperty): string | null {
  const lowCut =
    (property.minimum !== undefined && property.minimum > extent.min) ||
    (property.exclusiveMinimum !== undefined && property.exclusiveMinimum >= extent.min);
  const highCut =
    (property.maximum !== undefined && property.maximum < extent.max) ||
    (property.exclusiveMaximum !== undefined && property.exclusiveMaximum <= extent.max);
  if (!lowCut && !highCut) return null;
  const low =
    property.exclusiveMinimum !== undefined
      ? `> ${property.exclusiveMinimum}`
      : property.minimum !== undefined
        ? `≥ ${property.minimum}`
        : null;
  const high =
    property.exclusiveMaximum !== undefined
      ? `< ${property.exclusiveMaximum}`
      : property.maximum !== undefined
        ? `≤ ${property.maximum}`
        : null;
  return [low, high].filter((bound) => bound !== null).join(' and ');
}

/** Whether a value of the planned type is valid for the schema's type (an integer is a number; no type: any). */
function typeCompatible(planned: PlannedInput['type'], schemaType: string | undefined): boolean {
  if (schemaType === undefined || schemaType === planned) return true;
  return planned === 'integer' && schemaType === 'number';
}

function describeType(property: ResolvedProperty): string {
  return property.type ?? 'untyped';
}
