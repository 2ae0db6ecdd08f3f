-- issue-sync: the initial data model (prisma/schema.prisma).

CREATE TYPE "Role" AS ENUM ('admin', 'member', 'viewer');
CREATE TYPE "Provider" AS ENUM ('github', 'gitlab', 'bitbucket');
CREATE TYPE "WebhookStatus" AS ENUM ('active', 'stale', 'inactive');
CREATE TYPE "IssueKind" AS ENUM ('issue', 'security_alert');
CREATE TYPE "IssueState" AS ENUM ('open', 'closed');
CREATE TYPE "SyncType" AS ENUM ('issues', 'security', 'all');
CREATE TYPE "OperationStatus" AS ENUM ('pending', 'running', 'completed', 'failed', 'cancelled');
CREATE TYPE "SyncTrigger" AS ENUM ('manual', 'slash_command', 'install', 'stale_webhook', 'admin', 'schedule', 'cli');

CREATE TABLE "Project" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Project_slug_key" ON "Project"("slug");

CREATE TABLE "User" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Membership" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "role" "Role" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Membership_userId_projectId_key" ON "Membership"("userId", "projectId");
CREATE INDEX "Membership_projectId_idx" ON "Membership"("projectId");

CREATE TABLE "ApiToken" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "userId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "name" TEXT,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

CREATE TABLE "Installation" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "githubInstallationId" BIGINT NOT NULL,
    "accountLogin" TEXT NOT NULL,
    "accountType" TEXT,
    "projectId" UUID NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "suspendedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Installation_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Installation_githubInstallationId_key" ON "Installation"("githubInstallationId");
CREATE INDEX "Installation_projectId_idx" ON "Installation"("projectId");

CREATE TABLE "RepositoryConnection" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "projectId" UUID NOT NULL,
    "provider" "Provider" NOT NULL,
    "externalRepoId" TEXT,
    "fullPath" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "apiUrl" TEXT,
    "encryptedToken" TEXT,
    "installationId" UUID,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "webhookStatus" "WebhookStatus" NOT NULL DEFAULT 'inactive',
    "webhookId" TEXT,
    "lastWebhookAt" TIMESTAMPTZ(3),
    "lastSyncAt" TIMESTAMPTZ(3),
    "lastCheckedAt" TIMESTAMPTZ(3),
    "issuesWatermark" TIMESTAMPTZ(3),
    "alertsWatermark" TIMESTAMPTZ(3),
    "etag" TEXT,
    "headCommit" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RepositoryConnection_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "RepositoryConnection_projectId_provider_fullPath_key" ON "RepositoryConnection"("projectId", "provider", "fullPath");
CREATE INDEX "RepositoryConnection_installationId_idx" ON "RepositoryConnection"("installationId");
CREATE INDEX "RepositoryConnection_provider_externalRepoId_idx" ON "RepositoryConnection"("provider", "externalRepoId");

CREATE TABLE "Issue" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "projectId" UUID NOT NULL,
    "repositoryId" UUID,
    "repositoryUrl" TEXT,
    "kind" "IssueKind" NOT NULL DEFAULT 'issue',
    "title" TEXT NOT NULL,
    "body" TEXT,
    "state" "IssueState" NOT NULL DEFAULT 'open',
    "url" TEXT,
    "labels" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "author" TEXT,
    "customFields" JSONB NOT NULL DEFAULT '{}',
    "externalId" TEXT GENERATED ALWAYS AS ("customFields" ->> 'externalId') STORED,
    "externalCreatedAt" TIMESTAMPTZ(3),
    "externalUpdatedAt" TIMESTAMPTZ(3),
    "externalClosedAt" TIMESTAMPTZ(3),
    "unlinked" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Issue_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Issue_projectId_externalId_key" ON "Issue"("projectId", "externalId");
CREATE INDEX "Issue_projectId_repositoryUrl_title_idx" ON "Issue"("projectId", "repositoryUrl", "title");
CREATE INDEX "Issue_projectId_repositoryId_kind_state_idx" ON "Issue"("projectId", "repositoryId", "kind", "state");
CREATE INDEX "Issue_customFields_idx" ON "Issue" USING GIN ("customFields");

CREATE TABLE "SyncOperation" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "projectId" UUID NOT NULL,
    "repositoryId" UUID,
    "status" "OperationStatus" NOT NULL DEFAULT 'pending',
    "syncType" "SyncType" NOT NULL,
    "includeClosed" BOOLEAN NOT NULL DEFAULT false,
    "trigger" "SyncTrigger" NOT NULL,
    "requestedById" UUID,
    "progress" JSONB NOT NULL DEFAULT '{}',
    "results" JSONB NOT NULL DEFAULT '{}',
    "checkpoint" JSONB,
    "error" TEXT,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "heartbeatAt" TIMESTAMPTZ(3),
    "jobId" TEXT,
    "startedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SyncOperation_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "SyncOperation_repositoryId_status_idx" ON "SyncOperation"("repositoryId", "status");
CREATE INDEX "SyncOperation_projectId_createdAt_idx" ON "SyncOperation"("projectId", "createdAt");

CREATE TABLE "WebhookDelivery" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "provider" "Provider" NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "action" TEXT,
    "repositoryId" UUID,
    "status" TEXT NOT NULL DEFAULT 'received',
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMPTZ(3),
    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "WebhookDelivery_provider_deliveryId_key" ON "WebhookDelivery"("provider", "deliveryId");
CREATE INDEX "WebhookDelivery_repositoryId_receivedAt_idx" ON "WebhookDelivery"("repositoryId", "receivedAt");

CREATE TABLE "ServiceState" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ServiceState_pkey" PRIMARY KEY ("key")
);

ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Installation" ADD CONSTRAINT "Installation_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "RepositoryConnection" ADD CONSTRAINT "RepositoryConnection_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "RepositoryConnection" ADD CONSTRAINT "RepositoryConnection_installationId_fkey" FOREIGN KEY ("installationId") REFERENCES "Installation"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Issue" ADD CONSTRAINT "Issue_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Issue" ADD CONSTRAINT "Issue_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "RepositoryConnection"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "SyncOperation" ADD CONSTRAINT "SyncOperation_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SyncOperation" ADD CONSTRAINT "SyncOperation_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "RepositoryConnection"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "SyncOperation" ADD CONSTRAINT "SyncOperation_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "RepositoryConnection"("id") ON DELETE SET NULL ON UPDATE CASCADE;
