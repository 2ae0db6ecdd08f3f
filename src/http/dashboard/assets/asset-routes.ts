/**
 * The dashboard's stylesheet and script, served by this process (no CDN, no build step). Their URLs
 * carry a hash of their content, so a browser may keep them for a year and still never runs an old
 * script after an upgrade.
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';
import { DASHBOARD_STYLE } from './dashboard-style.js';

const version = (content: string) => createHash('sha256').update(content).digest('hex').slice(0, 12);

export const STYLE_URL = `/dashboard/assets/dashboard.css?v=${version(DASHBOARD_STYLE)}`;
export const SCRIPT_URL = `/dashboard/assets/dashboard.js?v=${version(DASHBOARD_SCRIPT)}`;

export function assetRoutes(): Hono {
  const app = new Hono();
  const serve = (content: string, type: string) =>
    new Response(content, {
      headers: {
        'content-type': type,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
      },
    });
  app.get('/dashboard/assets/dashboard.css', () => serve(DASHBOARD_STYLE, 'text/css; charset=utf-8'));
  app.get('/dashboard/assets/dashboard.js', () => serve(DASHBOARD_SCRIPT, 'text/javascript; charset=utf-8'));
  return app;
}
