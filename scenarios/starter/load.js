// A starter load for your own system: a quiet baseline, a surge to PEAK_RPS, a cool-down. Each
// phase is its own scenario (chained with startTime), so the game-day file and the checks can name
// them. Replace `visit` with what your users really do; give every request a `name` tag, which is
// how budgets (`http_req_duration{name:home}`) and the checks refer to it.
// Knobs: BASE_URL (set by the drill), TIME_SCALE (0.1 runs ten times faster), PEAK_RPS.
import http from 'k6/http';
import { check, sleep } from 'k6';

const SCALE = Number(__ENV.TIME_SCALE || 1);
const PEAK = Math.max(1, Math.round(Number(__ENV.PEAK_RPS || 50)));
const QUIET = Math.max(1, Math.round(PEAK / 10));
const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';

/** A duration in k6's syntax, compressed by TIME_SCALE. */
function scaled(seconds) {
  return `${Math.max(1, Math.round(seconds * SCALE))}s`;
}

/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    baseline: { executor: 'constant-arrival-rate', rate: QUIET, timeUnit: '1s', duration: scaled(120), preAllocatedVUs: 5, maxVUs: 50 },
    surge: {
      executor: 'ramping-arrival-rate',
      startTime: scaled(120),
      startRate: QUIET,
      timeUnit: '1s',
      stages: [
        { duration: scaled(120), target: PEAK },
        { duration: scaled(180), target: PEAK },
      ],
      preAllocatedVUs: 10,
      maxVUs: 200,
    },
    cooldown: {
      executor: 'ramping-arrival-rate',
      startTime: scaled(420),
      startRate: PEAK,
      timeUnit: '1s',
      stages: [{ duration: scaled(60), target: QUIET }],
      preAllocatedVUs: 5,
      maxVUs: 100,
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:home}': ['p(95)<800'],
  },
};

export default function () {
  visit();
  sleep(0.1);
}

function visit() {
  const res = http.get(`${BASE_URL}/`, { tags: { name: 'home' } });
  check(res, { 'home answers': (r) => r.status < 500 });
}
