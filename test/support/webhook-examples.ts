/**
 * Every example of @octokit/webhooks-examples for the events the App receives: the `default_events`
 * of app.yml, and `installation` and `installation_repositories`, which GitHub delivers to every App.
 * Each is a delivery GitHub could send; `asAppDelivery` adds the installation GitHub sets on every
 * delivery to an App (most examples were recorded from repository webhooks and have none).
 *
 *   for (const example of subscribedExamples()) await server.deliver(example.event, asAppDelivery(example, INSTALLATION_ID));
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

type Json = Record<string, unknown>;

export interface WebhookExample {
  event: string;
  action: string;
  /** Its place among the examples of its event, so the same action's examples tell apart. */
  index: number;
  /** `issues.pinned #19`. */
  label: string;
  payload: Json;
}

/** Delivered to every App without subscribing. */
export const ALWAYS_DELIVERED = ['installation', 'installation_repositories'] as const;

const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as { name: string; examples: Json[] }[];

/** `default_events` of the App's manifest. */
export function manifestEvents(manifestPath = new URL('../../app.yml', import.meta.url)): string[] {
  const lines = readFileSync(manifestPath, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trim() === 'default_events:');
  const events: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const item = /^\s+-\s+([a-z_]+)\s*$/.exec(line);
    if (!item) break;
    events.push(item[1]!);
  }
  return events;
}

export function subscribedEvents(): string[] {
  return [...manifestEvents(), ...ALWAYS_DELIVERED];
}

/** Deep copies of every example of these events, in the package's order. */
export function webhookExamples(events: readonly string[] = subscribedEvents()): WebhookExample[] {
  return events.flatMap((event) =>
    (definitions.find((definition) => definition.name === event)?.examples ?? []).map((payload, index) => {
      const action = typeof payload.action === 'string' ? payload.action : '';
      return { event, action, index, label: `${event}.${action} #${index}`, payload: structuredClone(payload) };
    }),
  );
}

/** The example as a delivery to the App installed as `installationId`. */
export function asAppDelivery(example: WebhookExample, installationId: number): Json {
  return { ...structuredClone(example.payload), installation: { id: installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${installationId}` } };
}
