// A local imitation of the public hosts the corpus scripts call (test.k6.io, test-api.k6.io,
// QuickPizza, httpbin.org, the Swagger petstore): one HTTP and one HTTPS listener on 127.0.0.1
// that answer well enough for a correct k6 to complete the scripts. The runner maps the scripts'
// host names here with k6's `hosts` option, so nothing leaves the machine.
//
//   node bench/k6-corpus/imitation-server.mjs      # prints the two ports, serves until Ctrl-C
//
// Written for this bench from the public documentation of those services; no code of theirs.
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';

/** The names the corpus calls; every one is served by the same listeners. */
export const HOSTNAMES = [
  'test.k6.io',
  'test-api.k6.io',
  'quickpizza.grafana.com',
  'pizza.grafana.fun',
  'httpbin.org',
  'httpbin.test.k6.io',
  'petstore.swagger.io',
  'jsonplaceholder.typicode.com',
  'reqres.in',
  'echo.websocket.org',
  'ws.ifelse.io',
  'testkube-test-page-lipsum.pages.dev',
  'testkube.kubeshop.io',
  'storage.googleapis.com',
  'predscaling01.natzkalabs.com',
  'localhost',
];

const INGREDIENTS = ['Mozzarella', 'Tomato', 'Basil', 'Mushrooms', 'Olives', 'Ham', 'Pineapple', 'Onion'];
const QUOTES = ['Pizza is a bowl of happiness.', 'You can’t make everyone happy. You are not a pizza.'];

function selfSignedCert() {
  const dir = mkdtempSync(join(tmpdir(), 'k6-corpus-tls-'));
  try {
    const names = HOSTNAMES.map((h, i) => `DNS.${i + 1}:${h}`).join(',');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=k6-corpus-imitation',
      '-addext', `subjectAltName=${names},IP:127.0.0.1`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseCookies(header = '') {
  const out = {};
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

function parseForm(body) {
  const out = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}

function parseBody(req, raw) {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) {
    try {
      return { json: JSON.parse(raw), form: {} };
    } catch {
      return { json: null, form: {} };
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) return { json: null, form: parseForm(raw) };
  try {
    return { json: JSON.parse(raw), form: {} };
  } catch {
    return { json: null, form: {} };
  }
}

const page = (title, body) => `<!DOCTYPE html><html><head><title>${title}</title></head><body>${body}</body></html>`;

/** State shared by all connections: QuickPizza users, pizzas and ratings; test-api users and crocodiles. */
function newState() {
  return { users: new Map(), tokens: new Map(), pizzas: new Map(), ratings: [], crocs: [], nextId: 1 };
}

function makeHandler(state, log) {
  return (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        route(state, req, res, raw);
      } catch (error) {
        log?.(`imitation: ${req.method} ${req.url}: ${error.stack ?? error}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('imitation error');
      }
    });
  };
}

function send(res, status, body, headers = {}) {
  const isText = typeof body === 'string' || Buffer.isBuffer(body);
  const payload = isText ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': isText ? 'text/html; charset=utf-8' : 'application/json', ...headers });
  res.end(payload);
}

function httpbinEcho(req, url, raw, extra = {}) {
  const { json, form } = parseBody(req, raw);
  const type = String(req.headers['content-type'] ?? '');
  const files = {};
  if (type.startsWith('multipart/form-data')) {
    // enough of multipart for httpbin's view: field names with their (text) values
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
    const mark = `--${boundary?.[1] ?? boundary?.[2]}`;
    for (const part of raw.split(mark).slice(1, -1)) {
      const [head, ...rest] = part.split('\r\n\r\n');
      const name = /name="([^"]*)"/.exec(head)?.[1];
      const filename = /filename="([^"]*)"/.exec(head)?.[1];
      const value = rest.join('\r\n\r\n').replace(/\r\n$/, '');
      if (!name) continue;
      if (filename !== undefined) files[name] = value;
      else form[name] = value;
    }
  }
  return {
    args: Object.fromEntries(url.searchParams),
    data: json === null && !Object.keys(form).length ? raw : json !== null ? raw : '',
    files,
    form,
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.replace(/(^|-)\w/g, (m) => m.toUpperCase()), Array.isArray(v) ? v.join(',') : v])),
    json,
    method: req.method,
    origin: '127.0.0.1',
    url: `${req.socket.encrypted ? 'https' : 'http'}://${req.headers.host}${req.url}`,
    ...extra,
  };
}

function route(state, req, res, raw) {
  const host = String(req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const url = new URL(req.url ?? '/', 'http://imitation');
  const path = url.pathname;
  const m = req.method ?? 'GET';

  // ---- httpbin ----------------------------------------------------------------------------
  if (/^\/(get|post|put|patch|delete|anything)(\/|$)/.test(path)) return send(res, 200, httpbinEcho(req, url, raw));
  let match;
  if ((match = /^\/status\/(\d{3})/.exec(path))) return send(res, Number(match[1]), '', { 'content-type': 'text/plain' });
  if (path === '/headers') return send(res, 200, { headers: httpbinEcho(req, url, raw).headers });
  if (path === '/ip') return send(res, 200, { origin: '127.0.0.1' });
  if (path === '/user-agent') return send(res, 200, { 'user-agent': req.headers['user-agent'] });
  if (path === '/uuid') return send(res, 200, { uuid: randomUUID() });
  if (path === '/json') return send(res, 200, { slideshow: { author: 'Yours Truly', title: 'Sample Slide Show', slides: [{ title: 'Wake up to WonderWidgets!', type: 'all' }] } });
  if (path === '/html') return send(res, 200, page('httpbin', '<h1>Herman Melville - Moby-Dick</h1><p>Availing himself of the mild, summer-cool weather.</p>'));
  if (path === '/xml') return send(res, 200, '<?xml version="1.0"?><slideshow title="Sample"><slide><title>Wake up</title></slide></slideshow>', { 'content-type': 'application/xml' });
  if ((match = /^\/delay\/(\d+(?:\.\d+)?)/.exec(path))) {
    setTimeout(() => send(res, 200, httpbinEcho(req, url, raw)), Math.min(Number(match[1]), 1) * 1000);
    return;
  }
  if ((match = /^\/bytes\/(\d+)/.exec(path))) return send(res, 200, Buffer.alloc(Math.min(Number(match[1]), 1 << 20), 7), { 'content-type': 'application/octet-stream' });
  if (path === '/cookies') return send(res, 200, { cookies: parseCookies(req.headers.cookie) });
  if (path === '/cookies/set') {
    const cookies = [...url.searchParams].map(([k, v]) => `${k}=${encodeURIComponent(v)}; Path=/`);
    return send(res, 302, '', { location: '/cookies', 'set-cookie': cookies });
  }
  if ((match = /^\/cookies\/set\/([^/]+)\/([^/]+)/.exec(path))) return send(res, 302, '', { location: '/cookies', 'set-cookie': `${match[1]}=${match[2]}; Path=/` });
  if (path === '/cookies/delete') {
    const cookies = [...url.searchParams.keys()].map((k) => `${k}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/`);
    return send(res, 302, '', { location: '/cookies', 'set-cookie': cookies });
  }
  if ((match = /^\/(?:hidden-)?basic-auth\/([^/]+)\/([^/]+)/.exec(path))) {
    const expected = `Basic ${Buffer.from(`${match[1]}:${match[2]}`).toString('base64')}`;
    if (req.headers.authorization === expected) return send(res, 200, { authenticated: true, user: match[1] });
    return send(res, 401, '', { 'www-authenticate': 'Basic realm="Fake Realm"', 'content-type': 'text/plain' });
  }
  if ((match = /^\/digest-auth\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+))?/.exec(path))) return digest(req, res, match);
  if (path === '/bearer') {
    const auth = String(req.headers.authorization ?? '');
    if (auth.startsWith('Bearer ')) return send(res, 200, { authenticated: true, token: auth.slice(7) });
    return send(res, 401, '', { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' });
  }
  if ((match = /^\/(?:relative-|absolute-)?redirect\/(\d+)/.exec(path))) {
    const n = Number(match[1]);
    return send(res, 302, '', { location: n > 1 ? `/redirect/${n - 1}` : '/get' });
  }
  if (path === '/redirect-to') return send(res, Number(url.searchParams.get('status_code') ?? 302), '', { location: url.searchParams.get('url') ?? '/get' });
  if (path === '/response-headers') return send(res, 200, Object.fromEntries(url.searchParams), Object.fromEntries(url.searchParams));
  if (path === '/anything' || path.startsWith('/anything/')) return send(res, 200, httpbinEcho(req, url, raw));

  // ---- apps the scripts run on localhost: OpenWatch's API (:8000), prompt-injection (:3001) ----
  const hostHeader = String(req.headers.host ?? '').toLowerCase();
  if (hostHeader === 'localhost:8000') return openWatch(res, path, m);
  if (hostHeader === 'host.docker.internal:4000' && path === '/' && m === 'POST') return send(res, 200, { data: { hello: 'world' } }); // a GraphQL router
  if (hostHeader === 'localhost:3001' && (path === '/openai/chat' || path === '/test/load')) return promptInjection(req, res);

  // ---- QuickPizza -------------------------------------------------------------------------
  if (path.startsWith('/api/')) return quickPizza(state, req, res, raw, url, m);

  // ---- a Dapr sidecar's HTTP API (dapr/dapr's perf tests) ---------------------------------
  if (/^\/v1\.0(-alpha1)?\//.test(path)) return daprSidecar(res, path, m);

  // ---- test-api.k6.io ---------------------------------------------------------------------
  if (path.startsWith('/public/crocodiles') || path.startsWith('/my/crocodiles') || path.startsWith('/user/') || path.startsWith('/auth/')) {
    return testApi(state, req, res, raw, path, m);
  }

  // ---- petstore.swagger.io ----------------------------------------------------------------
  if (path.startsWith('/v2/')) return petstore(req, res, raw, path, m);

  // ---- test.k6.io and the other sites' pages ----------------------------------------------
  return site(state, req, res, raw, host, url, m);
}

function openWatch(res, path, m) {
  if (path === '/api/auth/login' && m === 'POST') return send(res, 200, { access_token: `ow-${randomUUID()}`, token_type: 'bearer' });
  if (path === '/health') return send(res, 200, { status: 'healthy' });
  if (path === '/api/hosts' || path === '/api/scans') return send(res, 200, { items: [], total: 0, page: 1, per_page: 20 });
  if (path.startsWith('/api/host-groups')) return send(res, 200, []);
  if (path === '/api/compliance/posture') return send(res, 200, { score: 100 });
  if (path.startsWith('/api/system/')) return send(res, 200, { version: 'imitation' });
  return send(res, 404, { detail: 'Not Found' });
}

/** prompt-injection's backend: a session cookie it keeps (and sends again) for as long as the client does. */
function promptInjection(req, res) {
  const sid = parseCookies(req.headers.cookie)['prompt-injection.sid'] ?? `s:${randomUUID()}`;
  return send(res, 200, { reply: 'hello' }, { 'set-cookie': `prompt-injection.sid=${encodeURIComponent(sid)}; Path=/; HttpOnly` });
}

function daprSidecar(res, path, m) {
  if (path === '/v1.0/shutdown' || /\/publish\//.test(path) || (path.startsWith('/v1.0/state/') && m === 'POST')) return send(res, 204, '', { 'content-type': 'text/plain' });
  if (/^\/v1\.0\/actors\/[^/]+\/[^/]+\/method\//.test(path)) return send(res, 200, {});
  if (path.startsWith('/v1.0/configuration/')) return send(res, 200, { greeting: { value: 'hello', version: '1' } });
  if (path.startsWith('/v1.0/state/')) return send(res, 200, []);
  return send(res, 404, { errorCode: 'ERR_NOT_FOUND', message: 'not found' });
}

function digest(req, res, match) {
  const [, qop, user, pass, algo = 'MD5'] = match;
  const auth = String(req.headers.authorization ?? '');
  if (!auth.startsWith('Digest ')) {
    const nonce = createHash('md5').update(randomUUID()).digest('hex');
    return send(res, 401, '', { 'www-authenticate': `Digest realm="me@kennethreitz.com", nonce="${nonce}", qop="${qop}", opaque="${nonce.slice(0, 16)}", algorithm=${algo}, stale=FALSE`, 'content-type': 'text/plain' });
  }
  const fields = Object.fromEntries([...auth.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((x) => [x[1], x[2] ?? x[3]]));
  const h = (s) => createHash(algo.toUpperCase().startsWith('SHA-256') ? 'sha256' : 'md5').update(s).digest('hex');
  const ha1 = h(`${user}:${fields.realm}:${pass}`);
  const ha2 = h(`${req.method}:${fields.uri}`);
  const expected = fields.qop ? h(`${ha1}:${fields.nonce}:${fields.nc}:${fields.cnonce}:${fields.qop}:${ha2}`) : h(`${ha1}:${fields.nonce}:${ha2}`);
  if (fields.username === user && fields.response === expected) return send(res, 200, { authenticated: true, user });
  return send(res, 401, '', { 'content-type': 'text/plain' });
}

function pizzaFor(state, restrictions = {}) {
  const count = Math.max(Number(restrictions.minNumberOfToppings ?? 2), Math.min(Number(restrictions.maxNumberOfToppings ?? 5), 4));
  const excluded = new Set((restrictions.excludedIngredients ?? []).map((s) => String(s).toLowerCase()));
  const ingredients = INGREDIENTS.filter((i) => !excluded.has(i.toLowerCase())).slice(0, count).map((name, i) => ({ id: i + 1, name, caloriesPerSlice: 50 + i * 10, vegetarian: true }));
  const id = state.nextId++;
  const pizza = { id, name: `Imitation Pizza ${id}`, dough: { id: 1, name: 'Thin', caloriesPerSlice: 150 }, ingredients, tool: 'Pizza cutter' };
  state.pizzas.set(id, pizza);
  return pizza;
}

function userOf(state, req) {
  const auth = String(req.headers.authorization ?? '');
  const token = auth.replace(/^(Token|Bearer|token)\s+/, '') || parseCookies(req.headers.cookie).qp_user_token;
  return state.tokens.get(token) ?? (token ? { username: 'default', id: 1 } : undefined);
}

function quickPizza(state, req, res, raw, url, m) {
  const path = url.pathname.replace(/\/$/, '');
  const { json, form } = parseBody(req, raw);
  const body = json ?? form;
  let match;
  if (path === '/api/pizza' && m === 'POST') {
    if (!req.headers.authorization && !parseCookies(req.headers.cookie).qp_user_token && !req.headers['x-user-id']) return send(res, 401, { error: 'authentication required' });
    const pizza = pizzaFor(state, body ?? {});
    return send(res, 200, { pizza, calories: 900, vegetarian: true });
  }
  if ((match = /^\/api\/pizza\/(\d+)$/.exec(path))) {
    const pizza = state.pizzas.get(Number(match[1]));
    return pizza ? send(res, 200, pizza) : send(res, 404, { error: 'pizza not found' });
  }
  if (path === '/api/quotes') return send(res, 200, { quotes: QUOTES });
  if (path === '/api/names') return send(res, 200, { names: ['Margherita', 'Marinara', 'Imitation'] });
  if (path === '/api/adjectives') return send(res, 200, { adjectives: ['Hot', 'Cheesy'] });
  if (path === '/api/doughs') return send(res, 200, { doughs: [{ id: 1, name: 'Thin', caloriesPerSlice: 150 }] });
  if (path === '/api/tools') return send(res, 200, { tools: ['Pizza cutter', 'Knife', 'Scissors'] });
  if ((match = /^\/api\/ingredients\/(\w+)$/.exec(path))) return send(res, 200, { ingredients: INGREDIENTS.map((name, i) => ({ id: i + 1, name, caloriesPerSlice: 50, vegetarian: true, type: match[1] })) });
  if (path === '/api/config') return send(res, 200, { FOOTER_NOTE: '' });
  if (path === '/api/csrf-token' && m === 'POST') return send(res, 200, {}, { 'set-cookie': 'csrf_token=imitation-csrf; Path=/' });
  if (path === '/api/users' && m === 'POST') {
    const username = body?.username ?? `user${state.nextId++}`;
    const user = { id: state.nextId++, username };
    state.users.set(username, { ...user, password: body?.password });
    return send(res, 201, user);
  }
  if (path === '/api/users/token/login' && m === 'POST') {
    const user = state.users.get(body?.username) ?? { id: 1, username: body?.username ?? 'default' };
    const token = createHash('sha1').update(`${user.username}:${randomUUID()}`).digest('hex').slice(0, 16);
    state.tokens.set(token, user);
    return send(res, 200, { token }, { 'set-cookie': `qp_user_token=${token}; Path=/` });
  }
  if (path === '/api/users/token/authenticate') return userOf(state, req) ? send(res, 200, {}) : send(res, 401, { error: 'unauthorized' });
  if (path === '/api/ratings') {
    const user = userOf(state, req);
    if (!user) return send(res, 401, { error: 'unauthorized' });
    if (m === 'POST') {
      const rating = { id: state.nextId++, stars: Number(body?.stars ?? 5), pizza_id: Number(body?.pizza_id ?? 1), user_id: user.id };
      state.ratings.push(rating);
      return send(res, 201, rating);
    }
    if (m === 'DELETE') {
      state.ratings = state.ratings.filter((r) => r.user_id !== user.id);
      return send(res, 204, '');
    }
    return send(res, 200, { ratings: state.ratings.filter((r) => r.user_id === user.id) });
  }
  if ((match = /^\/api\/ratings\/(\d+)$/.exec(path))) {
    const rating = state.ratings.find((r) => r.id === Number(match[1]));
    if (!rating) return send(res, 404, { error: 'not found' });
    if (m === 'PUT' || m === 'PATCH') Object.assign(rating, { stars: Number(body?.stars ?? rating.stars) });
    if (m === 'DELETE') {
      state.ratings = state.ratings.filter((r) => r !== rating);
      return send(res, 204, '');
    }
    return send(res, 200, rating);
  }
  if (path === '/api/post') return send(res, 200, json ?? raw, { 'content-type': 'application/json' });
  if (path === '/api/json') return send(res, 200, Object.fromEntries(url.searchParams));
  if ((match = /^\/api\/status\/(\d{3})$/.exec(path))) return send(res, Number(match[1]), '', { 'content-type': 'text/plain' });
  if ((match = /^\/api\/delay\/(\d+(?:\.\d+)?)(ms|s)?$/.exec(path))) {
    const ms = Math.min(Number(match[1]) * (match[2] === 'ms' ? 1 : 1000), 1000);
    setTimeout(() => send(res, 200, {}), ms);
    return;
  }
  return send(res, 404, { error: 'not found' });
}

function testApi(state, req, res, raw, path, m) {
  const { json, form } = parseBody(req, raw);
  const body = json ?? form;
  let match;
  if (path === '/public/crocodiles/' || path === '/public/crocodiles') {
    return send(res, 200, [1, 2, 3, 4, 5, 6, 7, 8].map((id) => ({ id, name: `Croc ${id}`, sex: id % 2 ? 'M' : 'F', date_of_birth: '2010-01-01', age: 14 })));
  }
  if ((match = /^\/public\/crocodiles\/(\d+)\/?$/.exec(path))) {
    const id = Number(match[1]);
    return id >= 1 && id <= 8 ? send(res, 200, { id, name: `Croc ${id}`, sex: id % 2 ? 'M' : 'F', date_of_birth: '2010-01-01', age: 14 }) : send(res, 404, { detail: 'Not found.' });
  }
  if (path.startsWith('/user/register')) {
    if (!body?.username) return send(res, 400, { username: ['This field is required.'] });
    const user = { id: state.nextId++, username: body.username, first_name: body.first_name ?? '', last_name: body.last_name ?? '', email: body.email ?? '', date_joined: new Date().toISOString() };
    state.users.set(body.username, { ...user, password: body.password });
    return send(res, 201, user);
  }
  if (path.startsWith('/auth/token/login')) {
    const user = state.users.get(body?.username);
    if (!user || user.password !== body?.password) return send(res, 401, { detail: 'No active account found with the given credentials' });
    const access = `access-${randomUUID()}`;
    state.tokens.set(access, user);
    return send(res, 200, { access, refresh: `refresh-${randomUUID()}` });
  }
  if (path.startsWith('/auth/cookie/login')) {
    const user = state.users.get(body?.username);
    if (!user || user.password !== body?.password) return send(res, 401, { detail: 'No active account found with the given credentials' });
    const sid = `sid-${randomUUID()}`;
    state.tokens.set(sid, user);
    return send(res, 200, { id: user.id, username: user.username }, { 'set-cookie': `sessionid=${sid}; Path=/; HttpOnly` });
  }
  if (path.startsWith('/auth/basic/login')) return send(res, 200, { id: 1, username: 'basic' });
  if (path.startsWith('/user/')) return send(res, 200, { id: 1, username: 'imitation' });
  const auth = String(req.headers.authorization ?? '').replace(/^Bearer\s+/, '');
  const owner = state.tokens.get(auth) ?? state.tokens.get(parseCookies(req.headers.cookie).sessionid);
  if (!owner) return send(res, 401, { detail: 'Authentication credentials were not provided.' });
  if (path === '/my/crocodiles/' || path === '/my/crocodiles') {
    if (m === 'POST') {
      const croc = { id: state.nextId++, name: body?.name, sex: body?.sex, date_of_birth: body?.date_of_birth, age: 10, owner: owner.id };
      state.crocs.push(croc);
      return send(res, 201, croc);
    }
    return send(res, 200, state.crocs.filter((c) => c.owner === owner.id));
  }
  if ((match = /^\/my\/crocodiles\/(\d+)\/?$/.exec(path))) {
    const croc = state.crocs.find((c) => c.id === Number(match[1]) && c.owner === owner.id);
    if (!croc) return send(res, 404, { detail: 'Not found.' });
    if (m === 'DELETE') {
      state.crocs = state.crocs.filter((c) => c !== croc);
      return send(res, 204, '');
    }
    if (m === 'PUT' || m === 'PATCH') Object.assign(croc, body ?? {});
    return send(res, 200, croc);
  }
  return send(res, 404, { detail: 'Not found.' });
}

function petstore(req, res, raw, path, m) {
  const { json } = parseBody(req, raw);
  let match;
  if (path === '/v2/pet' && (m === 'POST' || m === 'PUT')) return send(res, 200, json ?? { id: 1, name: 'doggie', status: 'available' });
  if (path === '/v2/pet/findByStatus') return send(res, 200, [{ id: 1, name: 'doggie', status: 'available' }]);
  if ((match = /^\/v2\/pet\/(\d+)/.exec(path))) return send(res, 200, { id: Number(match[1]), name: 'doggie', status: 'available', photoUrls: [], tags: [] });
  if (path === '/v2/store/inventory') return send(res, 200, { available: 10, sold: 2 });
  if (path.startsWith('/v2/store/order')) return send(res, 200, json ?? { id: 1, petId: 1, quantity: 1, status: 'placed', complete: true });
  if (path.startsWith('/v2/user/login')) return send(res, 200, { code: 200, type: 'unknown', message: 'logged in user session:1' });
  if (path.startsWith('/v2/user')) return send(res, 200, { code: 200, type: 'unknown', message: 'ok' });
  return send(res, 404, { code: 404, type: 'unknown', message: 'not found' });
}

function site(state, req, res, raw, host, url, m) {
  const path = url.pathname;
  if (host === 'test-api.k6.io' && path === '/') return send(res, 200, page('test-api.k6.io', '<h1>test-api.k6.io</h1><p>Collection of simple web-pages suitable for load testing.</p>'));
  if ((host === 'quickpizza.grafana.com' || host === 'localhost' || host === 'pizza.grafana.fun') && (path === '/' || path === '/login' || path === '/admin')) {
    return send(res, 200, page('QuickPizza', '<h1>Looking to break out of your pizza routine?</h1><button>Pizza, Please!</button><div id="recommendations"></div>'));
  }
  if (host === 'petstore.swagger.io') return send(res, 200, page('Swagger UI', '<div id="swagger-ui"></div>'));
  if (host === 'testkube-test-page-lipsum.pages.dev' || host === 'storage.googleapis.com' || host === 'testkube.kubeshop.io') {
    return send(res, 200, page('Testkube test page - Lipsum', '<h1>Testkube test page - Lipsum</h1><p>Lorem ipsum dolor sit amet.</p>'));
  }
  if (path === '/' || path === '/index.php') {
    return send(res, 200, page('Demo website for load testing', '<h2>Welcome to the k6.io demo site!</h2><p>Collection of simple web-pages suitable for load testing.</p>' +
      '<ul><li><a href="/news.php">Recent news</a></li><li><a href="/contacts.php">Contacts</a></li><li><a href="/my_messages.php">My messages</a></li><li><a href="/pi.php?decimals=3">Calculate Pi</a></li><li><a href="/flip_coin.php">Flip a coin</a></li><li><a href="/browser.php">Browser</a></li></ul>' +
      '<img src="/static/logo.svg"><link href="/static/css/site.css" rel="stylesheet"><script src="/static/js/prisms.js"></script><img src="/static/favicon.ico">'));
  }
  if (path === '/news.php') return send(res, 200, page('News', '<h1>Latest news</h1><div class="news">In the news today: imitations.</div>'));
  if (path === '/contacts.php') return send(res, 200, page('Contacts', '<h1>Contact us</h1><p>Email: test@k6.io</p>'));
  if (path === '/pi.php') return send(res, 200, page('Pi', `3.${'14159265358979'.slice(0, Number(url.searchParams.get('decimals') ?? 2))}`));
  if (path === '/flip_coin.php') {
    const bet = url.searchParams.get('bet') ?? 'heads';
    return send(res, 200, page('Flip', `<p>Your bet: ${bet}.</p><p>Result: ${Math.random() < 0.5 ? 'You won!' : 'You lost.'}</p>`));
  }
  if (path === '/browser.php') {
    return send(res, 200, page('Browser', '<form><input type="checkbox" id="checkbox1"><span id="checkbox-info-display">Thanks for checking the box</span><input name="text1" id="text1"></form>'));
  }
  if (path === '/my_messages.php') {
    const cookies = parseCookies(req.headers.cookie);
    if (state.tokens.has(cookies.sid)) return send(res, 200, page('My messages', `<h2>Welcome, ${state.tokens.get(cookies.sid).username}!</h2><p>You have no messages.</p>`));
    if (m === 'POST') return loginPost(state, res, raw);
    return send(res, 200, page('My messages', '<h2>Unauthorized</h2><form method="post" action="/login.php"><input type="hidden" name="redir" value="1">' +
      '<input type="hidden" name="csrftoken" value="' + createHash('md5').update(String(Date.now())).digest('hex') + '"><input type="text" name="login"><input type="password" name="password"><input type="submit" value="Go!"></form>'));
  }
  if (path === '/login.php') {
    if (m === 'POST') return loginPost(state, res, raw);
    return send(res, 200, page('Login', '<form method="post" action="/login.php"><input type="hidden" name="csrftoken" value="imitation-csrf"><input type="text" name="login"><input type="password" name="password"><input type="submit" value="Go!"></form>'));
  }
  if (path.startsWith('/static/')) {
    const type = path.endsWith('.css') ? 'text/css' : path.endsWith('.js') ? 'application/javascript' : path.endsWith('.svg') ? 'image/svg+xml' : 'application/octet-stream';
    return send(res, 200, Buffer.from('/* imitation static asset */'), { 'content-type': type });
  }
  return send(res, 404, page('Not found', '<h1>404 Not found</h1>'));
}

function loginPost(state, res, raw) {
  const form = parseForm(raw);
  const ok = (form.login === 'admin' && form.password === '123') || (form.login === 'test_user' && form.password === '1234') || form.login === 'default';
  if (!ok) return send(res, 200, page('Login', '<h2>Login failed</h2>'));
  const sid = randomUUID();
  state.tokens.set(sid, { username: form.login });
  return send(res, 200, page('Logged in', `<h2>Welcome, ${form.login}!</h2><p>successfully authorized</p>`), { 'set-cookie': `sid=${sid}; Path=/` });
}

/**
 * WebSockets on both listeners: an echo that broadcasts (QuickPizza's chat at /ws works so); at /test,
 * a Dapr perf-test app's answer: "true" once the messages arrived, then a normal close.
 */
function attachWebSockets(server) {
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    if (req.url === '/test') {
      const timer = setTimeout(() => {
        socket.send('true');
        socket.close(1000);
      }, 300);
      socket.on('close', () => clearTimeout(timer));
      return;
    }
    socket.on('message', (data, isBinary) => {
      for (const client of wss.clients) if (client.readyState === 1) client.send(data, { binary: isBinary });
    });
    socket.on('ping', () => {});
  });
  return wss;
}

export async function startImitation({ log } = {}) {
  const state = newState();
  const handler = makeHandler(state, log);
  const http = createHttp({ keepAliveTimeout: 30_000 }, handler);
  const https = createHttps({ ...selfSignedCert(), keepAliveTimeout: 30_000 }, handler);
  const sockets = [attachWebSockets(http), attachWebSockets(https)];
  const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
  const httpPort = await listen(http);
  const httpsPort = await listen(https);
  return {
    httpPort,
    httpsPort,
    /** k6's hosts option for every name the corpus calls: port 80 (and the odd dev ports) to HTTP, 443 to HTTPS */
    hosts() {
      const out = {};
      for (const name of HOSTNAMES) {
        out[`${name}:80`] = `127.0.0.1:${httpPort}`;
        out[`${name}:443`] = `127.0.0.1:${httpsPort}`;
      }
      for (const port of [3000, 3001, 3333, 3500, 8000, 8080]) out[`localhost:${port}`] = `127.0.0.1:${httpPort}`;
      out['host.docker.internal:4000'] = `127.0.0.1:${httpPort}`;
      return out;
    },
    close: async () => {
      for (const wss of sockets) for (const c of wss.clients) c.terminate();
      http.closeAllConnections();
      https.closeAllConnections();
      await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => https.close(r))]);
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const imitation = await startImitation({ log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${JSON.stringify({ httpPort: imitation.httpPort, httpsPort: imitation.httpsPort, hosts: imitation.hosts() }, null, 2)}\n`);
  process.on('SIGINT', () => void imitation.close().then(() => process.exit(0)));
}
