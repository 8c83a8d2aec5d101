// Notifier channels. The outbox is the recorded notification row itself (the API lists it); the webhook
// POSTs each notice to one URL, signed, with an idempotency key so that a receiver can drop repeats.
import { createHmac } from 'node:crypto';
import type { MasslineConfig } from '../libs/config/src';
import type { NotificationMessage, NotifierChannel } from './deps';

export const SIGNATURE_HEADER = 'X-Massline-Signature';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** The recorded outbox: writing the row was the delivery; the activity marks it sent. */
export const outboxChannel = (): NotifierChannel => ({
  name: 'outbox',
  deliver: () => Promise.resolve(),
});

/** `sha256=<hex HMAC-SHA256 of the raw body>` — what a receiver recomputes with the shared secret. */
export const signBody = (body: string, secret: string): string =>
  `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

/** Escalation key and recipient: the same notice always carries the same key, across every retry. */
export const notificationIdempotencyKey = (escalationKey: string, recipient: string): string =>
  encodeURIComponent(`${escalationKey}|${recipient}`);

export class WebhookDeliveryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WebhookDeliveryError';
  }
}

export interface WebhookOptions {
  url: string;
  secret?: string;
  timeoutMs?: number;
}

export function webhookChannel(options: WebhookOptions): NotifierChannel {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    name: 'webhook',
    async deliver(message: NotificationMessage, signal?: AbortSignal) {
      const body = JSON.stringify({
        id: message.id,
        escalationKey: message.escalationKey,
        recipient: message.recipient,
        attempt: message.attempt,
        ...message.payload,
      });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        [IDEMPOTENCY_HEADER]: notificationIdempotencyKey(message.escalationKey, message.recipient),
        'user-agent': 'massline-notifier',
      };
      if (options.secret) headers[SIGNATURE_HEADER] = signBody(body, options.secret);
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers,
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        throw new WebhookDeliveryError(`webhook ${options.url} unreachable: ${(error as Error).message}`);
      }
      // Drain the body so the connection is reused or closed.
      const text = await response.text().catch(() => '');
      if (!response.ok) {
        throw new WebhookDeliveryError(`webhook ${options.url} answered ${response.status}: ${text.slice(0, 200)}`, response.status);
      }
    },
  };
}

/** The outbox always; the webhook when MASSLINE_WEBHOOK_URL is set. */
export function channelsFromConfig(config: Pick<MasslineConfig, 'notifier'>): NotifierChannel[] {
  const channels = [outboxChannel()];
  if (config.notifier.webhookUrl) {
    channels.push(webhookChannel({ url: config.notifier.webhookUrl, secret: config.notifier.webhookSecret }));
  }
  return channels;
}
