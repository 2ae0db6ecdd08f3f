/**
 * The real service for the dashboard's browser tests: `startService` (pg-boss jobs, the HTTP app with
 * the dashboard) on a database of its own cloned from the test run's embedded PostgreSQL, with the
 * loopback GitHub simulator as the host of every repository, and a seeded project:
 *
 * - project `demo` with four GitHub repositories:
 *   - `octo/hello`: 120 open issues, webhook active (a sync asks for confirmation), 2 Dependabot alerts;
 *   - `octo/limited`: 10 issues, webhook inactive, for a sync that meets an exhausted rate limit;
 *   - `octo/slow`: 250 issues (a quarter of them closed), webhook stale, for a sync held on its second page and cancelled;
 *   - `octo/linkable`: 5 issues, never synced, whose issue #3 a local issue gets linked to;
 *   - `octo/broken`: 3 issues, webhook inactive, for a sync the host refuses;
 *   - a repository with a very long path, never synced, whose row must still fit a phone's screen;
 * - a local issue "Printer on fire (local)" in `demo`, linked to nothing;
 * - project `side`, with no repository;
 * - users: `ada` (admin of demo), `vic` (viewer of demo), `max` (member of demo and viewer of side:
 *   the project picker), and the server's ADMIN_TOKEN; `addUser` adds more.
 *
 * The simulator's repository `octo/fresh` (4 issues) is connected by no one: the connect form's.
 */
import { loadConfig } from '../../src/config.js';
import { createTokenCipher } from '../../src/crypto/token-cipher.js';
import { silentLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/serve/start-service.js';
import { createStores } from '../../src/store/create-stores.js';
import { startGitHubSimulator, type GitHubSimulator } from '../support/github-simulator.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

export const ADMIN_TOKEN = 'dashboard-e2e-admin-token-0123456789';
/** A repository path as long as real ones get. */
export const LONG_PATH = 'an-organisation-with-a-rather-long-name/a-repository-whose-name-goes-on-and-on-and-on';

/** The token the simulator accepts, stored (encrypted) with every seeded connection. */
export const GITHUB_TOKEN = 'ghp_dashboardE2e';

export interface SeededRepository {
  id: string;
  fullPath: string;
}

export interface DashboardService {
  /** `http://localhost:PORT`, as `npm start` prints it. */
  url: string;
  service: RunningService;
  github: GitHubSimulator;
  database: TestDatabase;
  project: { id: string; slug: string };
  sideProject: { id: string; slug: string };
  tokens: { admin: string; viewer: string; multi: string; serverAdmin: string };
  repositories: {
    hello: SeededRepository;
    limited: SeededRepository;
    slow: SeededRepository;
    linkable: SeededRepository;
    broken: SeededRepository;
  };
  localIssue: { id: string; title: string };
  /** A user with `role` in project `demo`; returns their API token. */
  addUser(name: string, role: 'admin' | 'member' | 'viewer'): Promise<string>;
  close(): Promise<void>;
}

export async function startDashboardService(): Promise<DashboardService> {
  const [github, database] = await Promise.all([startGitHubSimulator({ token: GITHUB_TOKEN }), createTestDatabase()]);
  let service: RunningService | undefined;
  try {
    const cipher = createTokenCipher(Buffer.alloc(32, 11));
    const stores = createStores(database.db);
    service = await startService({
      config: loadConfig({
        DATABASE_URL: database.url,
        PORT: '0',
        ADMIN_TOKEN,
        // No stale check or poll comes due while the tests run (repositories would change under them).
        STALE_CHECK_INTERVAL_S: '86400',
        POLL_INTERVAL_S: '86400',
      }),
      log: silentLogger(),
      db: database.db,
      cipher,
      stores,
    });

    github.repo('octo', 'hello', { alerts: 2 }).addIssues(120, { state: 'open' });
    github.repo('octo', 'limited', { issues: 10 });
    github.repo('octo', 'slow', { issues: 250 });
    github.repo('octo', 'linkable', { issues: 5 });
    github.repo('octo', 'broken', { issues: 3 });
    github.repo('octo', 'fresh', { issues: 4 });

    const { prisma } = database.db;
    const project = await stores.projects.ensure('demo');
    const sideProject = await stores.projects.ensure('side');
    const connect = async (fullPath: string, webhookStatus: 'active' | 'stale' | 'inactive', webhookReason?: string) => {
      const row = await prisma.repositoryConnection.create({
        data: {
          projectId: project.id,
          provider: 'github',
          fullPath,
          url: `https://github.com/${fullPath}`,
          apiUrl: github.url,
          encryptedToken: cipher.encrypt(GITHUB_TOKEN),
          webhookStatus,
          ...(webhookReason ? { webhookReason } : {}),
          ...(webhookStatus === 'active' ? { lastWebhookAt: new Date(Date.now() - 5 * 60_000) } : {}),
        },
      });
      return { id: row.id, fullPath };
    };
    const repositories = {
      hello: await connect('octo/hello', 'active'),
      limited: await connect('octo/limited', 'inactive'),
      slow: await connect('octo/slow', 'stale', 'No delivery for 3 days while issues changed on GitHub.'),
      linkable: await connect('octo/linkable', 'inactive'),
      broken: await connect('octo/broken', 'inactive'),
    };
    await connect(LONG_PATH, 'inactive', `The webhook of ${LONG_PATH} was removed on the host.`);
    const localTitle = 'Printer on fire (local)';
    const local = await prisma.issue.create({ data: { projectId: project.id, title: localTitle, body: 'Filed by hand.' } });

    const admin = (await stores.projects.addUser(project.id, 'ada', 'admin')).token;
    const viewer = (await stores.projects.addUser(project.id, 'vic', 'viewer')).token;
    const max = await stores.projects.addUser(project.id, 'max', 'member');
    await prisma.membership.create({ data: { userId: max.userId, projectId: sideProject.id, role: 'viewer' } });

    const running = service;
    return {
      url: running.url,
      service: running,
      github,
      database,
      project,
      sideProject,
      tokens: { admin, viewer, multi: max.token, serverAdmin: ADMIN_TOKEN },
      repositories,
      localIssue: { id: local.id, title: localTitle },
      addUser: async (name, role) => (await stores.projects.addUser(project.id, name, role)).token,
      async close() {
        github.onRequest(null);
        await running.close();
        await github.close();
        await database.drop();
      },
    };
  } catch (error) {
    await service?.close().catch(() => undefined);
    await github.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw error;
  }
}
