import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Timers } from './timers.ts';

/**
 * Closes a keep-alive connection that has carried no request for `idleMs` of the emulator's clock,
 * as a server's idle timeout does; a streaming response (a watch) keeps its connection busy.
 *
 * On the clock, not in real time: Node's own keepAliveTimeout closes a connection after 5 real
 * seconds, and a client that reused one as it closed got ECONNRESET and retried, so a slower run
 * took another virtual timeline. Closed at all, because the sandbox holds both ends of every
 * connection in one process: the thousand environments of a large burst, 17 connections each,
 * would otherwise hold 34,000 file descriptors to the end.
 */
export function closeIdleConnections(server: Server, timers: Timers, idleMs: number): void {
  const closing = new WeakMap<Socket, () => void>();
  const busy = (socket: Socket) => {
    closing.get(socket)?.();
    closing.delete(socket);
  };
  const idle = (socket: Socket) => {
    busy(socket);
    if (!socket.destroyed) closing.set(socket, timers.after(idleMs, () => socket.destroy()));
  };
  server.on('connection', (socket: Socket) => {
    idle(socket);
    socket.once('close', () => busy(socket));
  });
  server.on('request', (req, res) => {
    busy(req.socket);
    res.once('close', () => idle(req.socket));
  });
}
