-- Where a sync reports besides its row (the GitHub comment answering a /sync command), and at most
-- one pending or running sync per repository, whichever process or replica starts it.
ALTER TABLE "SyncOperation" ADD COLUMN "reply" JSONB;
CREATE UNIQUE INDEX "SyncOperation_one_active_per_repository" ON "SyncOperation"("repositoryId")
    WHERE "status" IN ('pending', 'running');
