/**
 * A GitHub delivery's claim and what its handlers look up first, in one statement: the installation
 * (by GitHub's id), the repository connection of its project the event is about (by GitHub's
 * repository id, else by path, as InstallationRepositoryStore.find), and the WebhookDelivery claim
 * recorded against that repository (as WebhookDeliveryStore.claim). At hundreds of deliveries a
 * second, each statement saved is a round trip and a share of PostgreSQL's CPU: these were four.
 */
import type { Database } from '../db/client.js';
import { preparedStatement } from '../db/prepared-statement.js';
import { findInstallationRepositorySql, type InstallationRepositoryRecord } from './prisma-installation-repository-store.js';
import { INSTALLATION_COLUMNS, toInstallationRecord, type InstallationRecord, type InstallationRow } from './prisma-installation-store.js';
import { claimDeliverySql } from './prisma-webhook-delivery-store.js';

export interface GitHubDeliveryClaimInput {
  deliveryId: string;
  event: string;
  action: string | null;
  /** What the payload is about; null for a delivery without an installation and a repository. */
  target: { githubInstallationId: number; externalRepoId: string; fullPath: string } | null;
}

export interface GitHubDeliveryClaim {
  /** The WebhookDelivery row's id when this caller may apply the event; null when it is applied or being applied. */
  claimId: string | null;
  /** The installation, active or not; null when unknown (or no target). */
  installation: InstallationRecord | null;
  /** The connection, active or not, of the repository in the installation's project; null when none. */
  repository: InstallationRepositoryRecord | null;
}

export type ClaimGitHubDelivery = (input: GitHubDeliveryClaimInput) => Promise<GitHubDeliveryClaim>;

const CLAIM_WITH_TARGET = preparedStatement(
  'claim_github_delivery',
  `WITH installation AS (
     SELECT ${INSTALLATION_COLUMNS} FROM "Installation" WHERE "githubInstallationId" = $5::bigint
   ), repository AS (${findInstallationRepositorySql('(SELECT "projectId" FROM installation)', '$6', '$7')}
   ), claim AS (${claimDeliverySql('(SELECT id FROM repository)')})
   SELECT (SELECT id FROM claim) AS "claimId",
          (SELECT to_jsonb(i) FROM installation AS i) AS installation,
          (SELECT to_jsonb(r) FROM repository AS r) AS repository`,
);

interface Row {
  claimId: string | null;
  installation: (Omit<InstallationRow, 'suspendedAt'> & { suspendedAt: string | null }) | null;
  repository:
    | (Omit<InstallationRepositoryRecord, 'lastSyncAt' | 'issuesWatermark' | 'alertsWatermark'> & {
        lastSyncAt: string | null;
        issuesWatermark: string | null;
        alertsWatermark: string | null;
      })
    | null;
}

/** A timestamp as to_jsonb writes it, as the Date node-postgres would have made of the column. */
const dateOf = (value: string | null): Date | null => (value === null ? null : new Date(value));

export function createGitHubDeliveryClaim(db: Database): ClaimGitHubDelivery {
  return async ({ deliveryId, event, action, target }) => {
    const { rows } = await db.pool.query<Row>(
      CLAIM_WITH_TARGET(['github', deliveryId, event, action, target?.githubInstallationId ?? null, target?.externalRepoId ?? null, target?.fullPath ?? null]),
    );
    const row = rows[0]!;
    const { installation, repository } = row;
    return {
      claimId: row.claimId,
      installation: installation && toInstallationRecord({ ...installation, suspendedAt: dateOf(installation.suspendedAt) }),
      repository: repository && {
        ...repository,
        lastSyncAt: dateOf(repository.lastSyncAt),
        issuesWatermark: dateOf(repository.issuesWatermark),
        alertsWatermark: dateOf(repository.alertsWatermark),
      },
    };
  };
}
