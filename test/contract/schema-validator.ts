import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { SCHEMAS_DIR, type SchemaFile } from './schema-source';

/** The committed schema, parsed. */
export function committedSchema(file: SchemaFile): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(SCHEMAS_DIR, file), 'utf8')) as Record<string, unknown>;
}

/** A validator for a committed schema (Ajv, draft-07, strict: a schema Ajv does not fully understand fails here). */
export function schemaValidator(file: SchemaFile): ValidateFunction {
  return new Ajv({ strict: true, allErrors: true }).compile(committedSchema(file));
}

/** Ajv's errors as one line each, for a readable failed expectation. */
export function schemaErrors(validate: ValidateFunction, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}
