import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { runLoadTest } from './run.js';

/**
 * Digest authentication against a server we did not write: Debian's Apache httpd with
 * mod_auth_digest (`apt-get install apache2`, as .ci/run does), on a private configuration.
 */

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';
const PORT = 23_481; // fixed, below 32768 where the ephemeral ports begin
const REALM = 'peakready shop';

/** Waits for httpd to answer the protected path with its challenge; fails at once if it exits. */
async function untilAnswering(httpd: ChildProcess, stderr: () => string): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    if (httpd.exitCode !== null) throw new Error(`apache2 exited ${httpd.exitCode}: ${stderr()}`);
    const status = await fetch(`http://127.0.0.1:${PORT}/private/ok.txt`).then((r) => r.status, () => 0);
    if (status === 401) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`apache2 did not answer on ${PORT}: ${stderr()}`);
}

describe.runIf(existsSync(APACHE))("digest auth against Apache's mod_auth_digest", () => {
  const dir = tempDir('peakready-apache-');
  let httpd: ChildProcess;
  let stderr = '';

  beforeAll(async () => {
    mkdirSync(join(dir, 'www', 'private'), { recursive: true });
    writeFileSync(join(dir, 'www', 'private', 'ok.txt'), 'apache says welcome');
    // htdigest's format: user:realm:MD5(user:realm:password)
    const ha1 = createHash('md5').update(`Mufasa:${REALM}:Circle of Life`).digest('hex');
    writeFileSync(join(dir, 'htdigest'), `Mufasa:${REALM}:${ha1}\n`);
    const mods = ['mpm_event', 'authn_core', 'authn_file', 'authz_core', 'authz_user', 'auth_digest'];
    writeFileSync(
      join(dir, 'httpd.conf'),
      [
        `ServerRoot ${dir}`,
        'ServerName 127.0.0.1',
        `Listen 127.0.0.1:${PORT}`,
        `PidFile ${dir}/httpd.pid`,
        `ErrorLog ${dir}/error.log`,
        ...mods.map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
        `DocumentRoot ${dir}/www`,
        `<Directory ${dir}/www>`,
        '  Require all granted',
        '</Directory>',
        '<Location "/private">',
        '  AuthType Digest',
        `  AuthName "${REALM}"`,
        '  AuthDigestProvider file',
        `  AuthUserFile ${dir}/htdigest`,
        '  Require valid-user',
        '</Location>',
      ].join('\n'),
    );
    httpd = spawn(APACHE, ['-f', join(dir, 'httpd.conf'), '-X'], { stdio: ['ignore', 'ignore', 'pipe'] });
    httpd.stderr!.on('data', (d: Buffer) => (stderr += d));
    await untilAnswering(httpd, () => stderr);
  });
  afterAll(async () => {
    if (!httpd || httpd.exitCode !== null) return;
    const exited = new Promise((resolve) => httpd.once('exit', resolve));
    httpd.kill('SIGTERM');
    await exited;
  });

  it('answers the challenge, and a wrong password stays unauthorised', async () => {
    const file = join(dir, 'digest.js');
    writeFileSync(
      file,
      `import http from 'k6/http';
import { check } from 'k6';
export const options = { iterations: 1 };
export default function () {
  const ok = http.get('http://Mufasa:Circle%20of%20Life@127.0.0.1:${PORT}/private/ok.txt', { auth: 'digest' });
  check(ok, { 'apache let us in': (r) => r.status === 200 && r.body === 'apache says welcome' });
  const bad = http.get('http://Mufasa:wrong@127.0.0.1:${PORT}/private/ok.txt', { auth: 'digest' });
  check(bad, { 'apache refused a wrong password': (r) => r.status === 401 });
}
`,
    );
    const result = await runLoadTest({ script: file, quiet: true, stdout: () => {} });
    const checks = Object.fromEntries(result.summary.root_group.checks.map((c) => [c.name, [c.passes, c.fails]]));
    expect(checks, readFileSync(join(dir, 'error.log'), 'utf8')).toEqual({ 'apache let us in': [1, 0], 'apache refused a wrong password': [1, 0] });
    // two exchanges of two requests each: challenge, answer
    expect(result.summary.metrics.http_reqs!.values.count).toBe(4);
  });
});
