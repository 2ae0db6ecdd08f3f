-- Webhook health says why (a disabled GitLab hook, no delivery for a while), for every host; a sync a
-- host's webhook asked for (a Bitbucket push refreshing the security findings) has its own trigger.
ALTER TABLE "RepositoryConnection" ADD COLUMN "webhookReason" TEXT;
ALTER TYPE "SyncTrigger" ADD VALUE IF NOT EXISTS 'webhook';
