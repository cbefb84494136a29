/**
 * Schema drift: changes to the input schema a model's version serves (GET /v1/models/…), as when a model's owner
 * pushes a new version, so that tests can check `clipgen doctor` notices. Only the served schema changes: creates
 * are still validated against the model's own schema.
 */
import type { SimulatedModel } from './model';
import type { InputSchema, PropertySchema } from './schema';

export type SchemaDrift =
  /** The input takes a new name (and stays as required as it was, unless `required` says). */
  | { model: string; kind: 'rename-input'; input: string; to: string; required?: boolean }
  | { model: string; kind: 'remove-input'; input: string }
  /** A new input; required unless `required: false`. */
  | { model: string; kind: 'add-input'; input: string; type?: PropertySchema['type']; required?: boolean }
  /** The input's enum becomes exactly `values`. */
  | { model: string; kind: 'set-enum'; input: string; values: (string | number)[] }
  /** The input's bounds; `null` removes one, a missing key leaves it. */
  | { model: string; kind: 'set-range'; input: string; minimum?: number | null; maximum?: number | null };

export type SchemaDriftKind = SchemaDrift['kind'];

export interface SchemaDriftController {
  /** Applies after the drifts already added; all are checked first. */
  add(drift: SchemaDrift | SchemaDrift[]): void;
  /** Back to the models' own schemas. */
  clear(): void;
  list(): SchemaDrift[];
}

const KINDS: SchemaDriftKind[] = ['rename-input', 'remove-input', 'add-input', 'set-enum', 'set-range'];
const TYPES: PropertySchema['type'][] = ['string', 'integer', 'number', 'boolean'];

export class SchemaDriftBook implements SchemaDriftController {
  private drifts: SchemaDrift[] = [];

  constructor(private readonly models: readonly SimulatedModel[]) {}

  add(drift: SchemaDrift | SchemaDrift[]): void {
    const added = (Array.isArray(drift) ? drift : [drift]).map((one) => parseSchemaDrift(one, this.models));
    this.drifts.push(...added);
  }

  clear(): void {
    this.drifts = [];
  }

  list(): SchemaDrift[] {
    return this.drifts.map((drift) => ({ ...drift }));
  }

  /** The model's schema as its version now serves it. */
  schemaOf(model: SimulatedModel): InputSchema {
    const drifts = this.drifts.filter((drift) => matchesModel(drift.model, model));
    return drifts.reduce(applyDrift, model.schema);
  }
}

function matchesModel(name: string, model: SimulatedModel): boolean {
  return name === model.key || name === `${model.owner}/${model.name}`;
}

function applyDrift(schema: InputSchema, drift: SchemaDrift): InputSchema {
  const properties = { ...schema.properties };
  let required = [...schema.required];
  const current = properties[drift.input];
  switch (drift.kind) {
    case 'rename-input': {
      if (!current) return schema;
      delete properties[drift.input];
      properties[drift.to] = current;
      const wasRequired = required.includes(drift.input);
      required = required.filter((name) => name !== drift.input);
      if (drift.required ?? wasRequired) required.push(drift.to);
      break;
    }
    case 'remove-input':
      delete properties[drift.input];
      required = required.filter((name) => name !== drift.input);
      break;
    case 'add-input':
      properties[drift.input] = { type: drift.type ?? 'string', description: `${drift.input} (added by a drift)` };
      if (drift.required ?? true) required.push(drift.input);
      break;
    case 'set-enum':
      if (current) properties[drift.input] = { ...current, enum: [...drift.values] };
      break;
    case 'set-range': {
      if (!current) return schema;
      const next: PropertySchema = { ...current };
      for (const bound of ['minimum', 'maximum'] as const) {
        const value = drift[bound];
        if (value === null) delete next[bound];
        else if (value !== undefined) next[bound] = value;
      }
      properties[drift.input] = next;
      break;
    }
  }
  return { properties, required };
}

/** A drift checked against the simulated models (throws with a message naming the problem). */
export function parseSchemaDrift(value: unknown, models: readonly SimulatedModel[]): SchemaDrift {
  if (typeof value !== 'object' || value === null) throw new Error('a schema drift must be an object');
  const drift = value as Record<string, unknown>;
  const kind = drift.kind as SchemaDriftKind;
  if (!KINDS.includes(kind)) throw new Error(`unknown schema drift kind ${JSON.stringify(drift.kind)}`);
  const model = drift.model;
  if (typeof model !== 'string' || !models.some((candidate) => matchesModel(model, candidate))) {
    throw new Error(`schema drift: unknown model ${JSON.stringify(model)}`);
  }
  const name = (key: string) => {
    if (typeof drift[key] !== 'string' || drift[key] === '')
      throw new Error(`schema drift ${kind}: ${key} is required`);
  };
  name('input');
  const optionalBoolean = (key: string) => {
    if (drift[key] !== undefined && typeof drift[key] !== 'boolean') {
      throw new Error(`schema drift ${kind}: ${key} must be true or false`);
    }
  };
  switch (kind) {
    case 'rename-input':
      name('to');
      optionalBoolean('required');
      break;
    case 'add-input':
      optionalBoolean('required');
      if (drift.type !== undefined && !TYPES.includes(drift.type as PropertySchema['type'])) {
        throw new Error(`schema drift add-input: type must be one of ${TYPES.join(', ')}`);
      }
      break;
    case 'set-enum': {
      const values = drift.values;
      const valid =
        Array.isArray(values) &&
        values.length > 0 &&
        values.every((entry) => typeof entry === 'string' || typeof entry === 'number');
      if (!valid) throw new Error('schema drift set-enum: values must be a non-empty array of strings or numbers');
      break;
    }
    case 'set-range':
      for (const bound of ['minimum', 'maximum']) {
        const bad = drift[bound] !== undefined && drift[bound] !== null && typeof drift[bound] !== 'number';
        if (bad) throw new Error(`schema drift set-range: ${bound} must be a number or null`);
      }
      break;
    case 'remove-input':
      break;
  }
  return { ...drift } as SchemaDrift;
}
