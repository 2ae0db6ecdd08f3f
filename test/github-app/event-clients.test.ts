/**
 * The App's Octokit class hands Probot one event client per installation instead of building one
 * for every event: the same client for every event of an installation, another for another
 * installation, and an unauthenticated one (as octokit-auth-probot builds it) when the App was
 * removed. The shared client still sends each request with the installation's token.
 */
import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { Probot } from 'probot';
import { afterEach, describe, expect, it } from 'vitest';
import { createProbotOctokitClass, EVENT_CLIENTS } from '../../src/github-app/probot-octokit-class.js';
import { silentLogger } from '../../src/logger.js';

const API = 'https://github.event-clients.test/api/v3';
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

afterEach(() => {
  nock.cleanAll();
});

async function app(onEvent: (octokit: unknown, name: string) => Promise<void>) {
  const log = silentLogger();
  const Octokit = createProbotOctokitClass({ sleep: async () => undefined, log, maxRateLimitWaitMs: 0, maxSecondaryRetries: 0, retryBaseMs: 1 });
  const probot = new Probot({ appId: 1, privateKey, secret: 'unused', Octokit, log, baseUrl: API });
  await probot.load((loaded: Probot) => {
    loaded.on(['issues', 'installation'], async (context) => onEvent(context.octokit, context.name));
  });
  let delivery = 0;
  const receive = (name: 'issues' | 'installation', action: string, installationId: number) =>
    probot.webhooks.receive({
      id: `d-${(delivery += 1)}`,
      name,
      payload: { action, installation: { id: installationId }, repository: { id: 1, full_name: 'o/r' } },
    } as never);
  return { receive };
}

describe('event clients', () => {
  it('are shared by the events of one installation, and not across installations or with a removed App', async () => {
    const seen: unknown[] = [];
    const { receive } = await app(async (octokit) => {
      seen.push(octokit);
    });
    await receive('issues', 'opened', 11);
    await receive('issues', 'edited', 11);
    await receive('issues', 'opened', 22);
    await receive('installation', 'deleted', 11);
    await receive('issues', 'closed', 11);
    expect(seen).toHaveLength(5);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[4]).toBe(seen[0]);
    expect(seen[2]).not.toBe(seen[0]);
    expect(seen[3]).not.toBe(seen[0]);
  });

  it("send each event's requests with the installation's token", async () => {
    const github = nock(API)
      .post('/app/installations/11/access_tokens')
      .reply(201, { token: 'ghs_eleven', expires_at: new Date(Date.now() + 3_600_000).toISOString() })
      .get('/repos/o/r')
      .times(2)
      .matchHeader('authorization', 'token ghs_eleven')
      .reply(200, { id: 1 });
    const { receive } = await app(async (octokit) => {
      await (octokit as { request(route: string): Promise<unknown> }).request('GET /repos/o/r');
    });
    await receive('issues', 'opened', 11);
    await receive('issues', 'edited', 11);
    expect(github.isDone()).toBe(true);
  });

  it(`keep at most ${EVENT_CLIENTS}, dropping the least recently used`, async () => {
    const seen = new Map<string, unknown>();
    let current = '';
    const { receive } = await app(async (octokit) => {
      seen.set(current, octokit);
    });
    const at = async (label: string, installationId: number) => {
      current = label;
      await receive('issues', 'opened', installationId);
      return seen.get(label);
    };
    const first = await at('first', 1);
    for (let id = 2; id <= EVENT_CLIENTS; id += 1) await at(`fill-${id}`, id);
    // Installation 1 is used again, so installation 2 is now the least recently used.
    expect(await at('again', 1)).toBe(first);
    const second = seen.get('fill-2');
    await at('one-more', EVENT_CLIENTS + 1);
    expect(await at('first-still', 1)).toBe(first);
    expect(await at('second-rebuilt', 2)).not.toBe(second);
  });
});
