import { writeFileSync } from 'node:fs';
import { shipped } from '../paths.js';
import { GAMEDAY_JSON_SCHEMA_FILE, gameDayJsonSchema } from './json-schema.js';

// `npm run gameday:schema`: writes scenarios/gameday.schema.json from the schema that validates the file.
writeFileSync(shipped(GAMEDAY_JSON_SCHEMA_FILE), gameDayJsonSchema());
console.log(`peakready: wrote ${GAMEDAY_JSON_SCHEMA_FILE}`);
