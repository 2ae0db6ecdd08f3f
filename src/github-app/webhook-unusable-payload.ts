/**
 * The one log line of a signed delivery whose payload does not say what it is about (no usable
 * installation, repository or item number). It is acknowledged, not refused: a redelivery would carry
 * the same payload, so a failure would only repeat.
 */
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { describePayloadProblem } from './github-webhook-schema.js';

export function webhookUnusablePayload(log: Logger, context: { id: string; name: string }, error: z.ZodError, needs: string): void {
  log.warn(
    { deliveryId: context.id, event: context.name, problem: describePayloadProblem(error) },
    `payload does not say which ${needs} it is about; acknowledged and ignored`,
  );
}
