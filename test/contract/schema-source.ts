import path from 'node:path';
import { createGenerator, type Schema } from 'ts-json-schema-generator';

const ROOT = path.join(__dirname, '..', '..');
export const SCHEMAS_DIR = path.join(ROOT, 'schemas');

/** Each committed schema and the type of the public entry (src/index.ts) it is generated from. */
export const SCHEMA_TYPES = {
  'generate-clip-input.json': 'GenerateClipInput',
  'clip.json': 'Clip',
} as const;

export type SchemaFile = keyof typeof SCHEMA_TYPES;

/**
 * The JSON Schemas (draft-07) of the public types, generated from the TypeScript types exactly as a parent in
 * TypeScript sees them (`import type { Clip } from 'clipgen'`). `npm run schemas` writes them to schemas/;
 * test/contract/schemas.test.ts regenerates them and fails when the committed files differ.
 */
export function generateSchemas(): Record<SchemaFile, Schema> {
  const generator = createGenerator({
    path: path.join(ROOT, 'src', 'index.ts'),
    tsconfig: path.join(ROOT, 'tsconfig.build.json'),
    type: SCHEMA_TYPES['clip.json'],
    expose: 'export',
    topRef: true,
    skipTypeCheck: true,
    additionalProperties: false,
  });
  const schemas = {} as Record<SchemaFile, Schema>;
  for (const [file, type] of Object.entries(SCHEMA_TYPES) as [SchemaFile, string][]) {
    const { $schema, ...schema } = generator.createSchema(type);
    schemas[file] = {
      $schema,
      $comment: `Generated from the ${type} type of src/index.ts by \`npm run schemas\`; test/contract/schemas.test.ts keeps it in step.`,
      ...schema,
    };
  }
  return schemas;
}
