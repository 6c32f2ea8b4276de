import { startTelemetry } from './telemetry.js';

/**
 * Entry of every service process: tracing first (the exporter is chosen from the environment),
 * then the service module, loaded dynamically.
 */
export async function bootService(name: string, load: () => Promise<{ start(): Promise<unknown> }>): Promise<void> {
  process.env.SERVICE_NAME ??= name;
  try {
    await startTelemetry(name);
    const service = await load();
    await service.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', service: name, msg: 'start failed', error: message }) + '\n');
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(1);
  }
}
