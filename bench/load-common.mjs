// Shared by the bench/load-*.mjs figures: a private nginx answering a small static response on
// a loopback port (cheaper per request than any generator, so the generator is what is
// measured), and CPU accounting of a generator's whole process tree.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts nginx (one worker) with a temp config; returns its URL and a stop function. */
export async function startNginx() {
  const dir = mkdtempSync(join(tmpdir(), 'peakready-bench-nginx-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / { default_type application/json; return 200 '{"ok":true}'; }
  }
}
`,
  );
  const child = spawn('/usr/sbin/nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'error.log')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  // Ctrl-C or SIGTERM mid-bench: nginx is not our process group's to lose
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
  return { url, port, stop };
}

/**
 * Runs a generator command to completion and returns its stdout and the CPU seconds (user+sys)
 * of its whole process tree: a shell reaps it, then reports its children's times (cutime/cstime).
 */
export function measure(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const quoted = [command, ...args].map((a) => `'${String(a).replace(/'/g, `'\\''`)}'`).join(' ');
    const started = Date.now();
    const child = spawn('sh', ['-c', `${quoted} > "$OUT_FILE" 2>&1; echo "$?" > "$OUT_FILE.rc"; cat /proc/$$/stat`], {
      env: { ...process.env, ...options.env, OUT_FILE: options.outFile },
      cwd: options.cwd ?? root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stat = '';
    child.stdout.on('data', (d) => (stat += d));
    child.on('error', reject);
    child.on('exit', () => {
      // fields after the ")" of comm: index 13/14 are cutime/cstime (fields 16, 17 of proc(5))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
      const cpuSeconds = (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
      const output = readFileSync(options.outFile, 'utf8');
      const rc = Number(readFileSync(options.outFile + '.rc', 'utf8'));
      resolve({ cpuSeconds, output, rc, wallSeconds: (Date.now() - started) / 1000 });
    });
  });
}

/** Peak resident memory (MB) of a process, polled from /proc until it exits. */
export function runWithPeakRss(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const poll = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        // exited between polls
      }
    }, 100);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ peakRssMb: peak, code, output: out });
    });
  });
}

export function writeScript(dir, name, source) {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

export const peakready = join(root, 'bin', 'peakready.js');
export const autocannon = join(root, 'node_modules', 'autocannon', 'autocannon.js');

/** http_reqs count and rate (and http_req_duration's median and p(99), when the script asked for them) from a --summary-export file. */
export function exportedRequests(file) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const duration = data.metrics.http_req_duration ?? {};
  return {
    count: data.metrics.http_reqs?.count ?? 0,
    rate: data.metrics.http_reqs?.rate ?? 0,
    iterations: data.metrics.iterations?.count ?? 0,
    dropped: data.metrics.dropped_iterations?.count ?? 0,
    p50Ms: duration.med,
    p99Ms: duration['p(99)'],
  };
}

export function fmt(n, digits = 1) {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}
