/**
 * Development only: forwards the deliveries of a smee.io channel (WEBHOOK_PROXY_URL) to the local
 * webhook route, so a GitHub App can talk to a laptop. smee-client is imported only when asked for.
 * Start-up does not wait for the channel: a proxy that cannot connect is logged, not fatal.
 */
import type { Logger } from '../logger.js';

export interface WebhookProxy {
  stop(): Promise<void>;
}

export async function startWebhookProxy(options: { source: string; target: string; log: Logger }): Promise<WebhookProxy> {
  const { source, target } = options;
  const log = options.log.child({ component: 'webhook-proxy', source });
  const { SmeeClient } = await import('smee-client');
  const client = new SmeeClient({
    source,
    target,
    logger: {
      info: (...detail: unknown[]) => log.debug({ detail: detail.map(String).join(' ') }, 'webhook proxy'),
      error: (...detail: unknown[]) => log.warn({ detail: detail.map(String).join(' ') }, 'webhook proxy problem'),
    },
  });
  client.start().then(
    () => log.info({ target }, 'webhook proxy connected'),
    (error: unknown) => log.warn({ err: error }, 'webhook proxy could not connect'),
  );
  return { stop: () => client.stop() };
}
