/**
 * The GitHub App's webhook delivery log, for the loopback GitHub simulator: `GET /app/hook/deliveries`
 * (newest first, `per_page` ≤ 100, a `cursor` in `Link rel="next"`) and
 * `POST /app/hook/deliveries/:id/attempts` (202; the redelivery is logged as a new attempt with the
 * same guid and `redelivery: true`, answered with `redeliveryStatus`).
 */
import { randomUUID } from 'node:crypto';

export interface SimulatedDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
}

export interface DeliveryLog {
  readonly deliveries: SimulatedDelivery[];
  /** Redelivery requests received, by delivery id. */
  readonly redelivered: number[];
  /** The status code a redelivery's attempt records (default 200). */
  redeliveryStatus: number;
  add(delivery: Partial<SimulatedDelivery> & { event: string }): SimulatedDelivery;
}

export function createDeliveryLog(now: () => Date): DeliveryLog & {
  handle(method: string, url: URL, send: (status: number, body: unknown, headers?: Record<string, string>) => number): number | null;
} {
  let sequence = 1_000;
  const log: SimulatedDelivery[] = [];
  const redelivered: number[] = [];
  const model = {
    deliveries: log,
    redelivered,
    redeliveryStatus: 200,
    add(delivery: Partial<SimulatedDelivery> & { event: string }): SimulatedDelivery {
      sequence += 1;
      const statusCode = delivery.status_code ?? 200;
      const entry: SimulatedDelivery = {
        id: sequence,
        guid: randomUUID(),
        delivered_at: now().toISOString(),
        redelivery: false,
        duration: 0.1,
        status: statusCode >= 200 && statusCode < 300 ? 'OK' : statusCode === 0 ? 'timed out' : 'Invalid HTTP Response: 503',
        action: null,
        installation_id: null,
        repository_id: null,
        ...delivery,
        status_code: statusCode,
      };
      log.push(entry);
      return entry;
    },
  };
  return {
    ...model,
    get redeliveryStatus() {
      return model.redeliveryStatus;
    },
    set redeliveryStatus(status: number) {
      model.redeliveryStatus = status;
    },
    handle(method, url, send) {
      if (method === 'GET' && url.pathname === '/app/hook/deliveries') {
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
        const cursor = url.searchParams.get('cursor');
        const newestFirst = [...log].sort((a, b) => b.id - a.id);
        const from = cursor ? newestFirst.findIndex((delivery) => delivery.id < Number(cursor)) : 0;
        const page = from < 0 ? [] : newestFirst.slice(from, from + perPage);
        const more = from >= 0 && from + perPage < newestFirst.length;
        const next = new URL(url);
        next.searchParams.set('cursor', String(page.at(-1)?.id ?? 0));
        return send(200, page, more ? { link: `<${next.toString()}>; rel="next"` } : {});
      }
      const attempt = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/.exec(url.pathname);
      if (method === 'POST' && attempt) {
        const original = log.find((delivery) => delivery.id === Number(attempt[1]));
        if (!original) return send(404, { message: 'Not Found' });
        redelivered.push(original.id);
        const { id: _id, status: _status, ...same } = original;
        model.add({ ...same, redelivery: true, status_code: model.redeliveryStatus, delivered_at: now().toISOString() });
        return send(202, {});
      }
      return null;
    },
  };
}
