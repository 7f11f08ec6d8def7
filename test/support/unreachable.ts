import { createServer } from 'node:net';
import type { Clock } from '../../lib/util/clock.ts';

/** A loopback port nothing listens on: bound by the OS, then released, so a connect is refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A clock whose sleeps advance it at once: `elapsed()` is the time a command waited, none of it real. */
export function steppingClock(start: number): Clock & { elapsed(): number } {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    io: (work) => work(),
    elapsed: () => now - start,
  };
}
