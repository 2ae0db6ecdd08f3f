-- The stale check asks most repositories through one signal per owner; each is still checked alone
-- now and then (a renamed repository, an edit the search index took long to see): when it last was.
ALTER TABLE "RepositoryConnection" ADD COLUMN "lastProbedAt" TIMESTAMPTZ(3);
