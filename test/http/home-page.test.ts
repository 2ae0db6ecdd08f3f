import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import type { ServiceGuide } from '../../src/http/service-guide.js';
import { silentLogger } from '../../src/logger.js';

const app = createApp({ log: silentLogger(), checkDatabase: async () => undefined });

describe('GET /', () => {
  it('answers, on a server without the API, an HTML page saying the service runs, that it serves no dashboard, and how to use it', async () => {
    const response = await app.request('http://localhost:3000/', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toMatch(/^<!doctype html>\s*<html lang="en">/);
    expect(page).toContain('<title>issue-sync is running</title>');
    expect(page).toContain('The service is running.');
    expect(page).toContain('This server runs without the HTTP API, so it serves no dashboard');
    expect(page).toContain('prefers-color-scheme: dark');
    for (const usage of [
      'issue-sync users add --project SLUG --name NAME --role member',
      'issue-sync repos list [--project SLUG]',
      'curl -H &quot;Authorization: Bearer TOKEN&quot; http://localhost:3000/api/projects',
      'GET /api/projects</code>',
      'POST /api/projects/SLUG/repositories/REPOSITORY/sync',
      'GET /healthz',
      'GET /readyz',
    ]) {
      expect(page).toContain(usage);
    }
    // Nothing loaded from elsewhere: no scripts, stylesheets, images or fonts.
    expect(page).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
  });

  it('answers the same facts as JSON to Accept: application/json', async () => {
    const response = await app.request('http://localhost:3000/', { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ServiceGuide;
    expect(body).toMatchObject({ service: 'issue-sync', status: 'running', dashboard: { available: false, url: null } });
    expect(body.api).toContainEqual({ usage: 'GET /api/projects', what: expect.any(String) });
    expect(body.health.map((entry) => entry.usage)).toEqual(['GET /healthz', 'GET /readyz']);
    expect(body.cli.map((entry) => entry.usage)).toContain('issue-sync users add --project SLUG --name NAME --role admin|member|viewer');
  });
});
