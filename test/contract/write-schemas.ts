/** `npm run schemas`: writes schemas/*.json from the public types (see schema-source.ts). */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import prettier from 'prettier';
import type { Schema } from 'ts-json-schema-generator';
import { SCHEMAS_DIR, generateSchemas, type SchemaFile } from './schema-source';

/** Prettier's JSON, so that `prettier --check` passes on schemas/. */
async function formatSchema(schema: Schema): Promise<string> {
  const options = await prettier.resolveConfig(path.join(SCHEMAS_DIR, 'clip.json'));
  return prettier.format(JSON.stringify(schema), { ...options, parser: 'json' });
}

async function main(): Promise<void> {
  const schemas = generateSchemas();
  for (const [file, schema] of Object.entries(schemas)) {
    const target = path.join(SCHEMAS_DIR, file as SchemaFile);
    await writeFile(target, await formatSchema(schema));
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
