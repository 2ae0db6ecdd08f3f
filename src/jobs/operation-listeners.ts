/**
 * The listeners a sync runner tells about its operations. A failing listener is logged and never
 * stops the sync or the other listeners.
 */
import type { Logger } from '../logger.js';
import type { OperationRecord } from '../store/issue-store.js';
import type { OperationListener } from './sync-jobs.js';

export function createOperationListeners(log: Logger) {
  const listeners: OperationListener[] = [];
  return {
    add(listener: OperationListener): void {
      listeners.push(listener);
    },
    async notify(operation: OperationRecord, event: 'progress' | 'finished'): Promise<void> {
      for (const listener of listeners) {
        try {
          await listener(operation, event);
        } catch (error) {
          log.warn({ err: error, operationId: operation.id, event }, 'operation listener failed');
        }
      }
    },
  };
}
