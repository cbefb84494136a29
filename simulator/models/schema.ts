/** The subset of JSON Schema the simulated models' inputs use, and Replicate-style validation against it. */
export interface PropertySchema {
  type: 'string' | 'integer' | 'number' | 'boolean';
  description: string;
  format?: 'uri';
  enum?: readonly (string | number)[];
  minimum?: number;
  maximum?: number;
  default?: string | number | boolean;
}

export interface InputSchema {
  properties: Record<string, PropertySchema>;
  required: readonly string[];
}

export type InvalidFieldType =
  | 'required'
  | 'invalid_type'
  | 'enum'
  | 'number_gte'
  | 'number_lte'
  | 'format'
  | 'additional_property_not_allowed';

/** One entry of a 422 body's `invalid_fields`. */
export interface InvalidField {
  type: InvalidFieldType;
  field: string;
  description: string;
}

/** JSON Schema's name for a JSON value's type, as it appears in "given: ..." messages. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function validateInput(input: unknown, schema: InputSchema): InvalidField[] {
  if (jsonTypeOf(input) !== 'object') {
    return [invalidType('input', 'object', input)];
  }
  const values = input as Record<string, unknown>;
  const problems: InvalidField[] = [];
  for (const name of schema.required) {
    if (!(name in values)) problems.push({ type: 'required', field: 'input', description: `${name} is required` });
  }
  for (const [name, value] of Object.entries(values)) {
    const property = schema.properties[name];
    if (!property) {
      problems.push({
        type: 'additional_property_not_allowed',
        field: 'input',
        description: `Additional property ${name} is not allowed`,
      });
      continue;
    }
    const problem = validateProperty(`input.${name}`, value, property);
    if (problem) problems.push(problem);
  }
  return problems;
}

function validateProperty(field: string, value: unknown, property: PropertySchema): InvalidField | null {
  const given = jsonTypeOf(value);
  const typeMatches = given === property.type || (property.type === 'number' && given === 'integer');
  if (!typeMatches) return invalidType(field, property.type, value);
  if (property.enum && !property.enum.includes(value as string | number)) {
    const allowed = property.enum.map((option) => JSON.stringify(option)).join(', ');
    return { type: 'enum', field, description: `${field} must be one of the following: ${allowed}` };
  }
  if (property.minimum !== undefined && (value as number) < property.minimum) {
    return { type: 'number_gte', field, description: `Must be greater than or equal to ${property.minimum}` };
  }
  if (property.maximum !== undefined && (value as number) > property.maximum) {
    return { type: 'number_lte', field, description: `Must be less than or equal to ${property.maximum}` };
  }
  if (property.format === 'uri' && !isUri(value as string)) {
    return { type: 'format', field, description: "Does not match format 'uri'" };
  }
  return null;
}

function invalidType(field: string, expected: string, value: unknown): InvalidField {
  return {
    type: 'invalid_type',
    field,
    description: `Invalid type. Expected: ${expected}, given: ${jsonTypeOf(value)}`,
  };
}

function isUri(text: string): boolean {
  try {
    return new URL(text).protocol.length > 1;
  } catch {
    return false;
  }
}

/** The input with the schema's defaults filled in, as the model's predict() sees it. */
export function withDefaults(input: Record<string, unknown>, schema: InputSchema): Record<string, unknown> {
  const complete: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    if (property.default !== undefined) complete[name] = property.default;
  }
  return { ...complete, ...input };
}
