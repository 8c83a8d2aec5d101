// A notification endpoint for the fault suite: it checks each notice's signature, answers 200 and counts every
// delivery by its Idempotency-Key (escalation key and recipient), with the notice's attempt number and the
// moment. It can be taken down (connections refused) and brought back on the same port; a request that arrives
// on an open connection while it goes down is answered 503 and not counted.
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  at: number;
  attempt: number;
  escalationKey: string;
  recipient: string;
}

export class WebhookReceiver {
  /** Deliveries answered 200, by Idempotency-Key. */
  readonly delivered = new Map<string, Delivery[]>();
  /** Requests refused because the signature was missing or wrong (must stay 0). */
  badSignatures = 0;
  /** When it was down: [from, to) (to undefined while down). */
  readonly downtimes: Array<{ from: number; to?: number }> = [];
  private server?: http.Server;
  private refusing = false;
  port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/notices`;
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.refusing) {
          res.writeHead(503, { connection: 'close' }).end('going down');
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        const key = String(req.headers['idempotency-key'] ?? '');
        const expected = Buffer.from(`sha256=${createHmac('sha256', this.secret).update(body, 'utf8').digest('hex')}`);
        const given = Buffer.from(String(req.headers['x-massline-signature'] ?? ''));
        if (!key || given.length !== expected.length || !timingSafeEqual(given, expected)) {
          this.badSignatures++;
          res.writeHead(401).end('bad signature');
          return;
        }
        const notice = JSON.parse(body) as { attempt: number; escalationKey: string; recipient: string };
        const list = this.delivered.get(key) ?? [];
        list.push({ at: Date.now(), attempt: notice.attempt, escalationKey: notice.escalationKey, recipient: notice.recipient });
        this.delivered.set(key, list);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    this.refusing = false;
    const last = this.downtimes.at(-1);
    if (last && last.to === undefined) last.to = Date.now();
  }

  /** Down: the port refuses connections (open ones are closed) until start() again. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.downtimes.push({ from: Date.now() });
    this.refusing = true;
    // No new connections; idle ones are closed now, busy ones after their (503) answer.
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
