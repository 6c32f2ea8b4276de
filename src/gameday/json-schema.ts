import { z } from 'zod';
import { gameDaySchema } from './schema.js';

/** Where the game-day file's JSON Schema is published, beside the bundled shop's own file. */
export const GAMEDAY_JSON_SCHEMA_FILE = 'scenarios/gameday.schema.json';

/**
 * The game-day file as JSON Schema (draft 2020-12), for editors: completion and descriptions in
 * any YAML editor that reads `# yaml-language-server: $schema=...`. Generated from the zod schema
 * that validates the file, so the two cannot drift (a test compares it with the published file).
 */
export function gameDayJsonSchema(): string {
  const schema = z.toJSONSchema(gameDaySchema, { io: 'input', unrepresentable: 'any' });
  return JSON.stringify({ ...schema, title: 'peakready game-day file' }, null, 2) + '\n';
}
