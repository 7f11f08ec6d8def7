import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Timers } from './timers.ts';

/** One connection: whether a request is on it, since when it is idle, whether a look is scheduled. */
interface Connection {
  busy: boolean;
  idleSince: number;
  looking: boolean;
}

/**
 * Closes a keep-alive connection that has carried no request for `idleMs` of the emulator's clock,
 * as a server's idle timeout does; a streaming response (a watch) keeps its connection busy.
 *
 * On the clock, not in real time: Node's own keepAliveTimeout closes a connection after 5 real
 * seconds, and a client that reused one as it closed got ECONNRESET and retried, so a slower run
 * took another virtual timeline. Closed at all, because the sandbox holds both ends of every
 * connection in one process: the thousand environments of a large burst, 17 connections each,
 * would otherwise hold 34,000 file descriptors to the end.
 *
 * One timer per idle stretch, not one per request: when it fires on a connection used since, it
 * looks again when the new stretch would end.
 */
export function closeIdleConnections(server: Server, timers: Timers, now: () => number, idleMs: number): void {
  const connections = new WeakMap<Socket, Connection>();
  const lookAfter = (socket: Socket, connection: Connection, ms: number) => {
    connection.looking = true;
    timers.after(ms, () => {
      connection.looking = false;
      if (socket.destroyed || connection.busy) return;
      const left = connection.idleSince + idleMs - now();
      if (left <= 0) socket.destroy();
      else lookAfter(socket, connection, left);
    });
  };
  const idle = (socket: Socket, connection: Connection) => {
    connection.busy = false;
    connection.idleSince = now();
    if (!connection.looking && !socket.destroyed) lookAfter(socket, connection, idleMs);
  };
  server.on('connection', (socket: Socket) => {
    const connection: Connection = { busy: false, idleSince: now(), looking: false };
    connections.set(socket, connection);
    idle(socket, connection);
  });
  server.on('request', (req, res) => {
    const connection = connections.get(req.socket);
    if (!connection) return;
    connection.busy = true;
    res.once('close', () => idle(req.socket, connection));
  });
}
