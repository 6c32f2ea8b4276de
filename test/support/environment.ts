/**
 * Setup file of both lanes (vitest.config.ts). Vite puts its own BASE_URL ('/') into the test
 * process's environment; the CLIs the tests start hand the system environment to scripts as
 * `k6 run` does, so a script reading __ENV.BASE_URL would get Vite's instead of its default.
 */
delete process.env.BASE_URL;
