import type { Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { EnvironmentError } from '../errors.js';

/** Every port the local stack binds and who binds it, so a conflict names its owner. */
export interface PortClaim {
  port: number;
  what: string;
}

export function portInUseMessage(port: number, what: string): string {
  return (
    `port ${port} (${what}) is already in use on 127.0.0.1; stop whatever holds it ` +
    `(\`peakready down\` if it is an earlier stack, or find it with \`ss -ltnp 'sport = :${port}'\`) ` +
    `or move the whole stack with --base-port (e.g. --base-port ${suggestBase(port)})`
  );
}

function suggestBase(port: number): number {
  return Math.ceil((port + 400) / 100) * 100;
}

/** Listens on 127.0.0.1:port, turning EADDRINUSE/EACCES into one EnvironmentError line. */
export function listenOrExplain(server: Server | HttpServer, port: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new EnvironmentError(portInUseMessage(port, what), { cause: error }));
      else if (error.code === 'EACCES') reject(new EnvironmentError(`port ${port} (${what}) needs privileges; choose --base-port above 1024`, { cause: error }));
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

/**
 * Checks every claimed port before anything starts, so a conflict fails in a second with one line
 * instead of after half the stack is up. (The real bind still reports a port taken in between.)
 */
export async function assertPortsFree(claims: readonly PortClaim[]): Promise<void> {
  for (const claim of claims) {
    if (claim.port < 1 || claim.port > 65535) {
      throw new EnvironmentError(`port ${claim.port} (${claim.what}) is outside 1-65535; choose a --base-port between 1024 and 65000`);
    }
    const probe = createServer();
    await listenOrExplain(probe, claim.port, claim.what);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  }
}
