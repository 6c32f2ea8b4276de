import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { expandEnvReferences, hasEnvReference } from './env-ref.js';

describe('${NAME} in a user file', () => {
  it('is replaced by the environment variable, anywhere in the value', () => {
    const env = { PGPASSWORD: 's3cret', PGHOST: '127.0.0.1' };
    expect(expandEnvReferences('postgres://shop:${PGPASSWORD}@${PGHOST}:5432/shop', 'f.yaml checks.integrity.databaseUrl', env)).toBe('postgres://shop:s3cret@127.0.0.1:5432/shop');
    expect(expandEnvReferences('${DATABASE_URL}', 'x', { DATABASE_URL: 'postgres://a@b/c' })).toBe('postgres://a@b/c');
    expect(hasEnvReference('postgres://${X}@h/d')).toBe(true);
    expect(hasEnvReference('postgres://u@h/d')).toBe(false);
  });

  it('an unset or empty variable is a usage error naming it and where it is used', () => {
    const expand = () => expandEnvReferences('postgres://u:${PW}@h/${DB}', 'f.yaml checks.integrity.databaseUrl', { DB: '' });
    expect(expand).toThrow(UsageError);
    expect(expand).toThrow(/f\.yaml checks\.integrity\.databaseUrl names \$\{PW\}, \$\{DB\}, but they are not set; export PW=/);
  });

  it('leaves text without references alone ($ alone, or $NAME without braces)', () => {
    expect(expandEnvReferences('postgres://u:pa$$word@h/d', 'x', {})).toBe('postgres://u:pa$$word@h/d');
  });
});
