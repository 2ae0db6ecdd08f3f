/**
 * A project with one GitHub repository connection (token auth, encrypted) to a repository of the
 * loopback GitHub simulator under `octo/<name>`, made with that repository: the set-up of tests
 * that sync through the job runner or the service.
 */
import type { TokenCipher } from '../../src/crypto/token-cipher.js';
import type { Database } from '../../src/db/client.js';
import type { GitHubSimulator } from './github-simulator.js';

export interface SimulatedConnectionDeps {
  db: Database;
  github: GitHubSimulator;
  cipher: TokenCipher;
  token: string;
}

export async function connectSimulatedRepository(deps: SimulatedConnectionDeps, name: string, setup: Parameters<GitHubSimulator['repo']>[2]) {
  deps.github.repo('octo', name, setup);
  const { prisma } = deps.db;
  const project = await prisma.project.create({ data: { slug: name, name } });
  const repository = await prisma.repositoryConnection.create({
    data: {
      projectId: project.id, provider: 'github', fullPath: `octo/${name}`, url: `https://github.com/octo/${name}`,
      apiUrl: deps.github.url, encryptedToken: deps.cipher.encrypt(deps.token),
    },
  });
  return { project, repository };
}
