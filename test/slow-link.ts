import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP hop on loopback between the gateway and a subgraph that holds each request `delayMs`
 * before forwarding it, as a distant or busy subgraph answers: a real socket and a real wait, so
 * what a test needs to be slow is slow on any machine. It counts the requests it holds or
 * forwards at once (`inFlight`, and the most since `peak` was reset), and those the subgraph has
 * yet to answer (`unanswered`: a request the gateway gave up on still reaches the subgraph).
 */
export class SlowLink {
  delayMs = 0;
  /** Where the gateway reaches the subgraph through this link. */
  url = '';
  inFlight = 0;
  peak = 0;
  /** Requests taken and not yet answered by the subgraph, whether or not the gateway still waits for them. */
  unanswered = 0;
  private server?: Server;

  private constructor(private readonly target: string) {}

  /** A link to the subgraph at `target` (its GraphQL URL); `url` is where the gateway reaches it. */
  static async to(target: string, delayMs = 0): Promise<SlowLink> {
    const link = new SlowLink(target);
    link.delayMs = delayMs;
    link.url = await link.listen();
    return link;
  }

  close(): void {
    this.server?.close();
    this.server?.closeAllConnections();
  }

  private async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.peak = Math.max(this.peak, ++this.inFlight);
        this.unanswered++;
        res.on('close', () => this.inFlight--);
        setTimeout(() => void this.forward(req.method ?? 'POST', req.url ?? '/', req.headers, Buffer.concat(chunks), res), this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql`;
  }

  private async forward(method: string, path: string, incoming: Record<string, string | string[] | undefined>, body: Buffer, res: ServerResponse): Promise<void> {
    const headers = Object.fromEntries(Object.entries(incoming).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>;
    try {
      const upstream = await fetch(new URL(path, this.target), { method, headers, body: method === 'GET' ? undefined : new Uint8Array(body) });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      res.destroy();
    } finally {
      this.unanswered--;
    }
  }
}
