/**
 * The operation of `/api/sync-operations/:id`, when the caller has a role in its project. A
 * malformed id, an unknown one and one of another project are all 404: operation ids do not leak.
 */
import type { OperationRecord } from '../store/issue-store.js';
import type { ApiDeps } from './api-deps.js';
import { HttpError } from './http-error.js';
import { isId } from './plain-schemas.js';
import { roleIn, type Principal } from './principal.js';

export async function findVisibleOperation(
  deps: Pick<ApiDeps, 'stores'>,
  principal: Principal,
  operationId: string,
): Promise<OperationRecord> {
  const operation = isId(operationId) ? await deps.stores.operations.get(operationId) : null;
  if (!operation || !roleIn(principal, operation.projectId)) {
    throw new HttpError(
      404,
      'operation_not_found',
      `There is no sync operation ${operationId} in your projects; a sync's id is in the answer that started it (statusUrl), ` +
        'and GET /api/projects/SLUG/repositories shows each repository\'s last one.',
    );
  }
  return operation;
}
