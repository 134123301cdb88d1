/*
 * The console's API types (web/src/api-schema.d.ts) are generated from the server's own OpenAPI
 * document; a route whose schema changed without `npm run api:types` fails here, so the console
 * never compiles against an API that is no longer there.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
// @ts-expect-error: a plain .mjs script without type declarations.
import { API_SCHEMA_FILE, generateApiTypes } from '../../scripts/api-types.mjs';

it('web/src/api-schema.d.ts is what npm run api:types generates from /api/openapi.json now', async () => {
  const want = (await generateApiTypes()) as string;
  const have = fs.readFileSync(API_SCHEMA_FILE as string, 'utf8');
  assert.ok(have === want, 'web/src/api-schema.d.ts is stale: run `npm run api:types` and commit the file');
  assert.match(have, /'\/api\/customers\/\{id\}\/users': \{/, 'the generated types cover the customer routes');
});
