/**
 * What the receiver looked up with a delivery's claim (its installation and repository connection),
 * kept for the handlers of that delivery while Probot runs them, so resolveEventRepository need not
 * ask the database again. Keyed by delivery id; the receiver removes the entry once the handlers
 * are done. A handler finds nothing for a delivery that did not come through the receiver, and
 * looks up itself.
 */
import type { InstallationRepositoryRecord } from '../store/prisma-installation-repository-store.js';
import type { InstallationRecord } from '../store/prisma-installation-store.js';

export interface DeliveryTarget {
  githubInstallationId: number;
  externalRepoId: string;
  installation: InstallationRecord | null;
  repository: InstallationRepositoryRecord | null;
}

export interface DeliveryTargets {
  set(deliveryId: string, target: DeliveryTarget): void;
  /** The target looked up for this delivery, when it is about this installation and repository. */
  get(deliveryId: string, githubInstallationId: number, externalRepoId: string): DeliveryTarget | undefined;
  delete(deliveryId: string): void;
}

export function createDeliveryTargets(): DeliveryTargets {
  const targets = new Map<string, DeliveryTarget>();
  return {
    set: (deliveryId, target) => void targets.set(deliveryId, target),
    get(deliveryId, githubInstallationId, externalRepoId) {
      const target = targets.get(deliveryId);
      return target && target.githubInstallationId === githubInstallationId && target.externalRepoId === externalRepoId ? target : undefined;
    },
    delete: (deliveryId) => void targets.delete(deliveryId),
  };
}
