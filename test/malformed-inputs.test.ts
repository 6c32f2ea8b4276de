import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxyServer, type FaultProxyServer } from '../src/faults/server.js';
import { startOtlpReceiver, type OtlpReceiver } from '../src/telemetry/otlp/receiver.js';
import { otlpJsonRequest, otlpProtobufRequest, sampleCheckoutTrace } from '../src/telemetry/otlp/sample-traces.js';
import { runCli } from './support/cli.js';
import { tempDir } from './support/temp-dir.js';

/**
 * The catalogue of malformed inputs (issue 19): files a user writes (chaos experiments, budgets,
 * game days, trace rules, HPA manifests, baselines), flags, Toxiproxy API bodies and OTLP bodies.
 * Each must be refused, never crash (no "internal error", no stack trace) and never hang: a file or
 * flag with one line on stderr and exit 2, an HTTP body with a 4xx and a message (or, for spans
 * the OTLP receiver can partly take, a 200 whose partial_success says what it rejected). Add a
 * row when a new input is found to slip through.
 */

/** A 433-byte "billion laughs": each level nine aliases of the one before, 9^9 strings in all. */
const ALIAS_BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((c, i) => {
  const prev = 'abcdefghi'[i]!;
  return `${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]`;
})].join('\n') + '\n';
const BIG = '# filler\n'.repeat(240_000); // 2.2 MB of comments
const DEEP = '['.repeat(50_000) + ']'.repeat(50_000);
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
const NOT_UTF8 = Buffer.from([0x74, 0x69, 0x74, 0x6c, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x0a]);
const chaos = (method: string) => `title: t\nmethod:\n${method}`;
const disable = (proxy: string) => chaos(`  - { action: disable-proxy, proxy: "${proxy}", duration: 1s }\n`);
const probes = (n: number) =>
  `title: t\nsteady-state-hypothesis:\n  probes:\n${Array.from({ length: n }, (_, i) => `    - { name: p${i}, http: { url: "http://127.0.0.1:1/" } }\n`).join('')}method:\n  - { action: disable-proxy, proxy: shop, duration: 1s }\n`;

interface CliCase {
  name: string;
  files?: Record<string, string | Buffer>;
  /** `{dir}` in an argument is the case's own folder */
  args: string[];
  /** the one line on stderr */
  says: RegExp;
}

const CLI_CASES: CliCase[] = [
  // chaos experiments
  { name: 'chaos: alias bomb', files: { 'x.yaml': ALIAS_BOMB }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml: YAML aliases expand too far/ },
  { name: 'chaos: 2 MB file', files: { 'x.yaml': BIG }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml: is 2\.\d MiB, over the 1\.0 MiB/ },
  { name: 'chaos: nested 50,000 deep', files: { 'x.yaml': DEEP }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml.*(nested too deeply|YAML syntax)/ },
  { name: 'chaos: binary file', files: { 'x.yaml': BINARY }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml: is a binary file/ },
  { name: 'chaos: not UTF-8', files: { 'x.yaml': NOT_UTF8 }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml: is not UTF-8 text/ },
  { name: 'chaos: a folder', files: { 'x.yaml/keep': '' }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml: is a directory/ },
  { name: 'chaos: missing file', args: ['chaos', 'validate', '{dir}/none.yaml'], says: /none\.yaml: file not found/ },
  { name: 'chaos: empty file', files: { 'x.yaml': '' }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml/ },
  { name: 'chaos: a list, not a map', files: { 'x.yaml': '- 1\n- 2\n' }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml/ },
  { name: 'chaos: YAML syntax', files: { 'x.yaml': 'title: [unclosed\n' }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml:\d+: YAML syntax/ },
  { name: 'chaos: duplicate key', files: { 'x.yaml': 'title: a\ntitle: b\n' }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml:\d+: YAML syntax/ },
  { name: 'chaos: alias without anchor', files: { 'x.yaml': 'title: *nowhere\n' }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml.*(YAML|alias)/ },
  { name: 'chaos: proxy ../../etc', files: { 'x.yaml': disable('../../etc') }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /x\.yaml:\d+ method\[0\]\.proxy: name "\.\.\/\.\.\/etc" must be at most 200 characters, without \/ \? # or spaces/ },
  { name: 'chaos: proxy ..', files: { 'x.yaml': disable('..') }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /method\[0\]\.proxy: .*not "\." or "\.\."/ },
  { name: 'chaos: 101 probes', files: { 'x.yaml': probes(101) }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /steady-state-hypothesis\.probes: at most 100 probes/ },
  {
    name: 'chaos: slicer variation above its average',
    files: { 'x.yaml': chaos('  - { action: add-toxic, proxy: shop, duration: 1s, toxic: { type: slicer, attributes: { average_size: 10, size_variation: 50 } } }\n') },
    args: ['chaos', 'validate', '{dir}/x.yaml'],
    says: /method\[0\]\.toxic\.attributes\.size_variation: must be smaller than average_size \(10\)/,
  },
  { name: 'chaos: toxic type typo', files: { 'x.yaml': chaos('  - { action: add-toxic, proxy: shop, duration: 1s, toxic: { type: latncy } }\n') }, args: ['chaos', 'validate', '{dir}/x.yaml'], says: /did you mean "latency"/ },
  { name: 'chaos run: --toxiproxy not a URL', files: { 'x.yaml': disable('shop') }, args: ['chaos', 'run', '{dir}/x.yaml', '--toxiproxy', 'not a url'], says: /--toxiproxy: "not a url" is not a URL/ },
  { name: 'chaos run: --toxiproxy ftp', files: { 'x.yaml': disable('shop') }, args: ['chaos', 'run', '{dir}/x.yaml', '--toxiproxy', 'ftp://127.0.0.1/'], says: /--toxiproxy: "ftp:\/\/127\.0\.0\.1\/" is not an http:\/\/ or https:\/\/ URL/ },
  // budgets, and the trace rules they name
  { name: 'budgets: alias bomb', files: { 'b.yaml': ALIAS_BOMB }, args: ['budgets', 'alerts', '{dir}/b.yaml', '--out', '{dir}/out'], says: /b\.yaml: YAML aliases expand too far/ },
  { name: 'budgets: 2 MB file', files: { 'b.yaml': BIG }, args: ['budgets', 'alerts', '{dir}/b.yaml', '--out', '{dir}/out'], says: /b\.yaml: is 2\.\d MiB/ },
  { name: 'drill --budget: alias bomb', files: { 'b.yaml': ALIAS_BOMB }, args: ['drill', '--budget', '{dir}/b.yaml', '--dry-run'], says: /b\.yaml: YAML aliases expand too far/ },
  {
    name: 'drill --budget: trace rules file missing',
    files: { 'b.yaml': 'checks:\n  tracing:\n    rules: missing-rules.yaml\n' },
    args: ['drill', '--budget', '{dir}/b.yaml', '--dry-run'],
    says: /b\.yaml checks\.tracing\.rules: .*missing-rules\.yaml: file not found/,
  },
  {
    name: 'drill --budget: trace rules an alias bomb',
    files: { 'b.yaml': 'checks:\n  tracing:\n    rules: rules.yaml\n', 'rules.yaml': ALIAS_BOMB },
    args: ['drill', '--budget', '{dir}/b.yaml', '--dry-run'],
    says: /checks\.tracing\.rules: .*rules\.yaml: YAML aliases expand too far/,
  },
  // game-day files
  { name: 'drill FILE: alias bomb', files: { 'g.yaml': ALIAS_BOMB }, args: ['drill', '{dir}/g.yaml', '--dry-run'], says: /g\.yaml: YAML aliases expand too far/ },
  { name: 'drill FILE: binary', files: { 'g.yaml': BINARY }, args: ['drill', '{dir}/g.yaml', '--dry-run'], says: /g\.yaml: is a binary file/ },
  // flags
  { name: 'drill --target ftp://', args: ['drill', '--target', 'ftp://127.0.0.1/'], says: /--target: "ftp:\/\/127\.0\.0\.1\/" is not an http:\/\/ or https:\/\/ URL/ },
  { name: 'drill --target not a URL', args: ['drill', '--target', '127.0.0.1:8080'], says: /--target: .*(not a URL|not an http)/ },
  { name: 'drill --toxiproxy ftp://', args: ['drill', '--toxiproxy', 'ftp://127.0.0.1/', '--dry-run'], says: /--toxiproxy: .*not an http/ },
  { name: 'drill --baseline missing', args: ['drill', '--baseline', '{dir}/none.json', '--dry-run'], says: /--baseline .*none\.json: file not found/ },
  { name: 'drill --baseline binary', files: { 'r.json': BINARY }, args: ['drill', '--baseline', '{dir}/r.json', '--dry-run'], says: /--baseline .*r\.json: is a binary file/ },
  { name: 'drill --baseline wrong shape', files: { 'r.json': '{"version": 1, "figures": 3}' }, args: ['drill', '--baseline', '{dir}/r.json', '--dry-run'], says: /--baseline .*r\.json: not a peakready report\.json \(figures/ },
  { name: 'drill --baseline not JSON', files: { 'r.json': 'version: 1\n' }, args: ['drill', '--baseline', '{dir}/r.json', '--dry-run'], says: /--baseline .*r\.json: .*JSON/ },
  { name: 'drill --time-scale 0', args: ['drill', '--time-scale', '0'], says: /time-scale.*expected a number above 0/ },
  { name: 'drill --base-port 80', args: ['drill', '--base-port', '80'], says: /base-port.*between 1024 and 64000/ },
  { name: 'drill --env without =', args: ['drill', '--env', 'NOEQUALS'], says: /"NOEQUALS" is not KEY=VALUE/ },
  { name: 'drill --defect unknown', args: ['drill', '--defect', 'nonsense', '--dry-run'], says: /nonsense/ },
  { name: 'drill --profile unknown', args: ['drill', '--profile', 'nonsense', '--dry-run'], says: /nonsense/ },
  { name: 'otlp serve --port abc', args: ['otlp', 'serve', '--port', 'abc'], says: /--port: "abc" is not a port number/ },
  { name: 'scale simulate --hpa alias bomb', files: { 'h.yaml': ALIAS_BOMB, 'm.csv': 'time,cpu\n0,50\n' }, args: ['scale', 'simulate', '--hpa', '{dir}/h.yaml', '--metrics', '{dir}/m.csv'], says: /h\.yaml: YAML aliases expand too far/ },
];

const HELP_HINT = '(run with --help for usage)';
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe.concurrent('malformed files and flags: one line, exit 2, no crash, no hang', () => {
  it.each(CLI_CASES)('$name', async (c) => {
    const dir = tempDir('peakready-malformed-');
    for (const [name, content] of Object.entries(c.files ?? {})) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      if (!name.endsWith('/keep')) writeFileSync(join(dir, name), content);
    }
    const args = c.args.map((a) => a.replaceAll('{dir}', dir));
    const result = await runCli(args, { ...process.env, PEAKREADY_HOME: join(dir, '.peakready') }, 30_000);
    const lines = result.stderr.split('\n').filter((l) => l.trim() && l.trim() !== HELP_HINT);
    expect(result.code, `exit code (-1: it hung and was killed)\n${result.stderr}`).toBe(2);
    expect(result.stderr).not.toMatch(/internal error/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(c.says);
  });
});

describe('malformed Toxiproxy API bodies: a 4xx with the error body, and the server keeps serving', () => {
  let server: FaultProxyServer;
  beforeAll(async () => {
    server = await startFaultProxyServer({ port: 0 });
    const created = await fetch(`${server.url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'shop', upstream: '127.0.0.1:1' }) });
    expect(created.status).toBe(201);
  });
  afterAll(() => server.close());

  const toxic = (body: unknown) => ['POST', '/proxies/shop/toxics', JSON.stringify(body)] as const;
  const proxy = (body: unknown) => ['POST', '/proxies', JSON.stringify(body)] as const;
  const API_CASES: Array<{ name: string; request: readonly [string, string, string?]; status: number; error: RegExp }> = [
    { name: 'not JSON', request: ['POST', '/proxies', '{"name": '], status: 400, error: /^bad request body/ },
    { name: 'a list for a proxy', request: ['POST', '/proxies', '[]'], status: 400, error: /^bad request body/ },
    { name: 'proxy name ../x', request: proxy({ name: '../x', upstream: '127.0.0.1:1' }), status: 400, error: /name "\.\.\/x" must be at most 200 characters/ },
    { name: 'proxy name ..', request: proxy({ name: '..', upstream: '127.0.0.1:1' }), status: 400, error: /not "\." or "\.\."/ },
    { name: 'proxy without upstream', request: proxy({ name: 'a' }), status: 400, error: /^missing required field: upstream/ },
    { name: 'upstream not host:port', request: proxy({ name: 'a', upstream: 'nohostport' }), status: 400, error: /^bad request body/ },
    { name: 'enabled not a boolean', request: proxy({ name: 'a', upstream: '127.0.0.1:1', enabled: 'yes' }), status: 400, error: /enabled must be true or false/ },
    { name: 'listen port 99999', request: proxy({ name: 'a', upstream: '127.0.0.1:1', listen: '127.0.0.1:99999' }), status: 400, error: /^bad request body/ },
    { name: 'populate with an object', request: ['POST', '/populate', '{}'], status: 400, error: /^bad request body/ },
    { name: 'unknown toxic type', request: toxic({ type: 'nope' }), status: 400, error: /^invalid toxic type$/ },
    { name: 'stream sideways', request: toxic({ type: 'latency', stream: 'sideways' }), status: 400, error: /^stream was invalid/ },
    { name: 'toxicity 2', request: toxic({ type: 'latency', toxicity: 2 }), status: 400, error: /toxicity must be a number from 0 to 1/ },
    { name: 'toxic name x/y', request: toxic({ type: 'latency', name: 'x/y' }), status: 400, error: /name "x\/y" must be at most 200 characters/ },
    { name: 'latency -1', request: toxic({ type: 'latency', attributes: { latency: -1 } }), status: 400, error: /attributes\.latency: must not be negative/ },
    { name: 'latency of 30 years', request: toxic({ type: 'latency', attributes: { latency: 1e12 } }), status: 400, error: /attributes\.latency: must be at most/ },
    { name: 'attributes a string', request: toxic({ type: 'latency', attributes: 'fast' }), status: 400, error: /attributes must be an object/ },
    { name: 'slicer variation above its average', request: toxic({ type: 'slicer', attributes: { average_size: 10, size_variation: 20 } }), status: 400, error: /attributes\.size_variation: must be smaller than average_size/ },
    { name: 'update of a missing toxic', request: ['PATCH', '/proxies/shop/toxics/nope', '{}'], status: 404, error: /^toxic not found$/ },
    { name: 'malformed %-escape', request: ['GET', '/proxies/%zz'], status: 400, error: /malformed %-escape/ },
    { name: 'a 2 MiB body', request: ['POST', '/proxies', JSON.stringify({ name: 'a', upstream: '127.0.0.1:1', pad: 'x'.repeat(2 * 1024 * 1024) })], status: 413, error: /./ },
  ];

  it.each(API_CASES)('$name', async ({ request: [method, path, body], status, error }) => {
    const res = await fetch(server.url + path, { method, ...(body === undefined ? {} : { body }) });
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string; status: number };
    expect(json.status).toBe(status);
    expect(json.error).toMatch(error);
    expect((await fetch(`${server.url}/version`)).status).toBe(200);
  });
});

describe('malformed OTLP bodies: 400/413/415 with a message, or 200 with partial_success; never a 500', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver({ port: 0, maxBodyBytes: 256 * 1024 });
  });
  afterAll(() => receiver.close());

  const good = otlpProtobufRequest([sampleCheckoutTrace(Date.now())]);
  const json = (mutate: (span: Record<string, unknown>, spans: Array<Record<string, unknown>>) => void) => {
    const request = otlpJsonRequest([sampleCheckoutTrace(Date.now())]) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    const spans = request.resourceSpans[0]!.scopeSpans[0]!.spans;
    mutate(spans[0]!, spans);
    return JSON.stringify(request);
  };
  const PB = 'application/x-protobuf';
  const JSON_TYPE = 'application/json';
  const OTLP_CASES: Array<{ name: string; type: string; body: string | Buffer | Uint8Array; gzip?: boolean; status: number; says: RegExp }> = [
    { name: 'JSON that does not parse', type: JSON_TYPE, body: '{"resourceSpans": [', status: 400, says: /does not parse/ },
    { name: 'JSON list', type: JSON_TYPE, body: '[]', status: 400, says: /must be an object/ },
    { name: 'resourceSpans a number', type: JSON_TYPE, body: '{"resourceSpans": 3}', status: 400, says: /"resourceSpans" must be an array/ },
    { name: 'a span that is a number', type: JSON_TYPE, body: '{"resourceSpans":[{"scopeSpans":[{"spans":[1]}]}]}', status: 400, says: /a span must be an object/ },
    { name: 'JSON nested 100,000 deep', type: JSON_TYPE, body: '['.repeat(100_000) + ']'.repeat(100_000), status: 400, says: /./ },
    { name: 'a trace id of 3 bytes', type: JSON_TYPE, body: json((s) => (s.traceId = 'abcdef')), status: 200, says: /invalid trace id "abcdef"/ },
    { name: 'a span id twice', type: JSON_TYPE, body: json((s, spans) => spans.push({ ...s })), status: 200, says: /came more than once; kept once/ },
    { name: 'a span ending before it starts', type: JSON_TYPE, body: json((s) => (s.endTimeUnixNano = '5')), status: 200, says: /ends before it starts/ },
    { name: 'protobuf garbage', type: PB, body: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), status: 400, says: /not an ExportTraceServiceRequest/ },
    { name: 'protobuf truncated', type: PB, body: good.subarray(0, good.length - 7), status: 400, says: /not an ExportTraceServiceRequest/ },
    { name: 'protobuf declaring a 2 GB field', type: PB, body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x01]), status: 400, says: /not an ExportTraceServiceRequest/ },
    { name: 'gzip that is not', type: PB, body: Buffer.from('not gzip'), gzip: true, status: 400, says: /does not decompress/ },
    { name: 'a zip bomb', type: PB, body: gzipSync(Buffer.alloc(4 * 1024 * 1024)), gzip: true, status: 413, says: /decompressed body exceeds/ },
    { name: 'a body past the limit', type: PB, body: Buffer.alloc(300 * 1024), status: 413, says: /exceeds the limit/ },
    { name: 'text/plain', type: 'text/plain', body: 'x', status: 415, says: /unsupported content type/ },
  ];

  it.each(OTLP_CASES)('$name', async ({ type, body, gzip, status, says }) => {
    const res = await fetch(`${receiver.url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': type, ...(gzip ? { 'content-encoding': 'gzip' } : {}) } });
    expect(res.status).toBe(status);
    const text = Buffer.from(await res.arrayBuffer()).toString('latin1');
    if (status === 200) {
      const answer = JSON.parse(text) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } };
      expect(answer.partialSuccess?.rejectedSpans).toBe('1');
      expect(answer.partialSuccess?.errorMessage).toMatch(says);
    } else {
      // google.rpc.Status: in JSON for a JSON request (and for a content type it does not speak), else protobuf, whose message bytes are the text itself
      expect(type === PB ? text : (JSON.parse(text) as { message: string }).message).toMatch(says);
    }
    expect((await fetch(`${receiver.url}/v1/traces`, { method: 'POST', body: otlpProtobufRequest([sampleCheckoutTrace(Date.now())]), headers: { 'content-type': PB } })).status).toBe(200);
  });
});
