/**
 * compose.yaml, deploy/nginx.conf and .env.example checked against each other and against the code,
 * without a container engine: the YAML parses, the replicas build from this Dockerfile and share
 * one environment whose names config.ts reads (and which loadConfig accepts once .env is filled in),
 * the proxy's upstreams are the replicas on the port the image serves, and every variable compose
 * interpolates is documented in .env.example. Nothing here starts a container.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';
import { MAX_WEBHOOK_BYTES } from '../../src/http/routes/github-webhooks.js';
import { PROVIDER_DEFINITIONS } from '../../src/providers/index.js';
import { parseDockerfile } from './dockerfile.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(path.join(repo, file), 'utf8');

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | null> | string[];
  env_file?: unknown;
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { target: number; published?: string | number })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  healthcheck?: { test?: string | string[] };
  hostname?: string;
  container_name?: string;
}

const composeText = read('compose.yaml');
// Compose reads YAML merge keys (`<<: *issue-sync`), which YAML 1.2 parsers leave off by default.
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const replicas = Object.entries(services).filter(([, service]) => service.build !== undefined);
const nginx = read('deploy/nginx.conf').replace(/#.*$/gm, '');
const runtimeStage = parseDockerfile(read('Dockerfile')).at(-1)!;
const imagePort = /\bPORT=(\d+)/.exec(runtimeStage.instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' '))?.[1];

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry) => [entry.split('=')[0]!, entry.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value === null ? '' : String(value)]));
}

/** Compose's interpolation of `${NAME}`, `${NAME:-default}` and `${NAME:?message}` from a .env. */
function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g, (_, name: string, operator: string | undefined, argument: string) => {
    const value = values[name];
    if (operator?.endsWith('?') && !value) throw new Error(`compose would refuse to start: ${name}: ${argument}`);
    if (operator?.endsWith('-') && !value) return argument;
    return value ?? '';
  });
}

/** Every variable config.ts reads: its schema's keys and each host's URL and webhook secret. */
function configVariables(): Set<string> {
  const names = new Set([...read('src/config.ts').matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]!));
  for (const host of PROVIDER_DEFINITIONS) names.add(host.apiUrlVariable).add(host.webhookSecretVariable);
  return names;
}

describe('compose.yaml', () => {
  it('runs PostgreSQL from the official image with a named volume and a health check', () => {
    const postgres = services.postgres!;
    expect(postgres.image).toMatch(/^postgres:\d+/);
    const volume = postgres.volumes?.map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`))[0] ?? '';
    const [source, target] = volume.split(':');
    // PostgreSQL 18 and later images keep PGDATA in a versioned folder under /var/lib/postgresql.
    expect(target).toBe('/var/lib/postgresql');
    expect(Object.keys(compose.volumes ?? {})).toContain(source);
    expect(JSON.stringify(postgres.healthcheck?.test)).toContain('pg_isready');
  });

  it('runs two replicas built from this Dockerfile, each after PostgreSQL is healthy', () => {
    expect(replicas.map(([name]) => name)).toEqual(['issue-sync-1', 'issue-sync-2']);
    for (const [name, service] of replicas) {
      const build = typeof service.build === 'string' ? { context: service.build } : service.build!;
      const context = path.resolve(repo, build.context ?? '.');
      expect(existsSync(path.join(context, build.dockerfile ?? 'Dockerfile')), name).toBe(true);
      expect(context).toBe(path.resolve(repo));
      const dependsOn = service.depends_on as Record<string, { condition?: string }>;
      expect(dependsOn.postgres?.condition, name).toBe('service_healthy');
      // Only the proxy is reachable from outside.
      expect(service.ports, name).toBeUndefined();
      // A sync's runner is recorded as host:pid; two replicas with one hostname could take each other's syncs over.
      expect(service.hostname, name).toBeUndefined();
      expect(service.container_name, name).toBeUndefined();
    }
  });

  it('gives both replicas the same DATABASE_URL, ENCRYPTION_KEY and ADMIN_TOKEN, and only variables config.ts reads', () => {
    const [first, second] = replicas.map(([, service]) => environment(service));
    expect(first).toEqual(second);
    for (const name of ['DATABASE_URL', 'ENCRYPTION_KEY', 'ADMIN_TOKEN']) expect(Object.keys(first!)).toContain(name);
    const known = configVariables();
    expect(known.size).toBeGreaterThan(10);
    for (const name of Object.keys(first!)) expect(known.has(name), `${name} is not read by src/config.ts`).toBe(true);
    // The proxy sends to the port the image serves: a PORT from .env must not move it.
    expect(Object.keys(first!)).not.toContain('PORT');
    // One smee channel forwarded by two replicas would deliver every event twice.
    expect(Object.keys(first!)).not.toContain('WEBHOOK_PROXY_URL');
  });

  it('refuses to start without the shared secrets, and with them gives a configuration the service accepts', () => {
    const replica = environment(replicas[0]![1]);
    expect(() => interpolate(JSON.stringify(replica), {})).toThrow(/POSTGRES_PASSWORD|ENCRYPTION_KEY|ADMIN_TOKEN/);
    for (const name of ['POSTGRES_PASSWORD', 'ENCRYPTION_KEY', 'ADMIN_TOKEN']) {
      expect(composeText, name).toMatch(new RegExp(`\\$\\{${name}:\\?`));
    }
    const dotenv = {
      POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN: randomBytes(24).toString('hex'),
    };
    const env = JSON.parse(interpolate(JSON.stringify(replica), dotenv)) as Record<string, string>;
    const config = loadConfig(env);
    const database = new URL(config.databaseUrl!);
    const postgres = environment(services.postgres!);
    expect(database.hostname).toBe('postgres');
    expect(database.port).toBe('5432');
    expect(decodeURIComponent(database.username)).toBe(postgres.POSTGRES_USER);
    expect(decodeURIComponent(database.password)).toBe(dotenv.POSTGRES_PASSWORD);
    expect(database.pathname).toBe(`/${postgres.POSTGRES_DB}`);
    expect(interpolate(postgres.POSTGRES_PASSWORD!, dotenv)).toBe(dotenv.POSTGRES_PASSWORD);
    expect(config.encryptionKey?.length).toBe(32);
    expect(config.adminToken).toBe(dotenv.ADMIN_TOKEN);
    // Unset optional values arrive empty, which the service reads as unset.
    expect(config.github.appId).toBeUndefined();
    expect(config.pollIntervalSeconds).toBe(300);
  });

  it('documents in .env.example every variable it reads from .env', () => {
    const example = read('.env.example');
    const names = new Set([...composeText.matchAll(/\$\{(\w+)/g)].map((match) => match[1]!));
    expect(names.size).toBeGreaterThan(5);
    for (const name of names) expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });

  it('publishes one port, the proxy, whose config file is in the repository', () => {
    const published = Object.entries(services).filter(([, service]) => service.ports?.length);
    expect(published.map(([name]) => name)).toEqual(['proxy']);
    const proxy = services.proxy!;
    expect(proxy.image).toMatch(/^nginx:/);
    expect(proxy.ports).toHaveLength(1);
    const listen = /^\s*listen\s+(\d+)\s*;/m.exec(nginx)?.[1];
    expect(String(proxy.ports![0]).split(':').at(-1)).toBe(listen);
    const mount = proxy.volumes!.map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`))[0]!;
    const [source, target] = mount.split(':');
    expect(existsSync(path.join(repo, source!))).toBe(true);
    expect(path.resolve(repo, source!)).toBe(path.join(repo, 'deploy/nginx.conf'));
    expect(target).toBe('/etc/nginx/conf.d/default.conf');
  });
});

describe('deploy/nginx.conf', () => {
  it('balances over exactly the replicas of compose.yaml, on the port the image serves', () => {
    const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(nginx);
    expect(upstream).toBeTruthy();
    const servers = [...upstream![2]!.matchAll(/^\s*server\s+([\w.-]+):(\d+)\b/gm)].map((match) => ({ host: match[1]!, port: match[2]! }));
    expect(servers.map((server) => server.host).sort()).toEqual(replicas.map(([name]) => name).sort());
    expect(imagePort).toBeTruthy();
    for (const server of servers) expect(server.port, server.host).toBe(imagePort);
    expect(nginx).toMatch(new RegExp(`proxy_pass\\s+http://${upstream![1]}\\s*;`));
  });

  it('passes webhooks of any size GitHub sends, the Host with its port, and the scheme', () => {
    const size = /client_max_body_size\s+(\d+)m\s*;/.exec(nginx);
    expect(Number(size?.[1]) * 1024 * 1024).toBeGreaterThanOrEqual(MAX_WEBHOOK_BYTES);
    // The service checks a dashboard form's Origin against Host: $host would drop the port.
    expect(nginx).toMatch(/proxy_set_header\s+Host\s+\$(http_host|issue_sync_host)\s*;/);
    expect(nginx).toMatch(/map\s+\$http_host\s+\$issue_sync_host/);
    expect(nginx).toMatch(/proxy_set_header\s+X-Forwarded-Proto\s+\$\w+\s*;/);
    // Webhook and API routes are not filtered: only /metrics stays inside.
    expect([...nginx.matchAll(/location\s+(=\s+)?(\/\S*)/g)].map((match) => match[2])).toEqual(['/metrics', '/']);
  });
});
