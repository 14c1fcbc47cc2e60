// Whether a service the machine may or may not run (Redis, a second PostgreSQL) answers: tests that
// need it are skipped, not failed, where it does not.
import { Socket } from 'node:net';

/** True when a TCP connection to `url`'s host and port (else `defaultPort`) opens within 500 ms. */
export function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(Number(port || defaultPort), hostname);
  });
}
