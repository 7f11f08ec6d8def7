import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** serve: answer requests; down: nothing listens (connection refused); hang: accept, never answer. */
export type ListenerMode = 'serve' | 'down' | 'hang';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * An HTTP listener on 127.0.0.1 that can be taken down (its port then refuses connections) and
 * brought back on the same port, or made to hang. It keeps its port for its whole life so the
 * prober's configuration stays valid across outages.
 */
export class SwitchableServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private mode: ListenerMode = 'serve';
  private boundPort = 0;

  constructor(private readonly handle: RequestHandler) {}

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<number> {
    await this.listen(0);
    return this.boundPort;
  }

  async setMode(mode: ListenerMode): Promise<void> {
    if (mode === this.mode) return;
    const wasDown = this.mode === 'down';
    const wasHanging = this.mode === 'hang';
    this.mode = mode;
    // A daemon that dies (down) or restarts after hanging drops its connections; one that starts
    // hanging keeps them open and simply stops answering.
    if (mode === 'down' || wasHanging) this.destroySockets();
    if (mode === 'down') await this.stopListening();
    else if (wasDown) await this.listen(this.boundPort);
  }

  async close(): Promise<void> {
    this.mode = 'down';
    this.destroySockets();
    await this.stopListening();
  }

  private listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      // A hanging daemon accepted the connection and will never write a byte.
      if (this.mode === 'hang') return;
      this.handle(req, res);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        this.boundPort = typeof address === 'object' && address ? address.port : port;
        this.server = server;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain;charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
