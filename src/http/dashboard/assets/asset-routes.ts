/**
 * The dashboard's stylesheet, script and icon, served by this process (no CDN, no build step). Their
 * URLs carry a hash of their content, so a browser may keep them for a year and still never runs an
 * old script after an upgrade.
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';
import { DASHBOARD_STYLE } from './dashboard-style.js';

const version = (content: string) => createHash('sha256').update(content).digest('hex').slice(0, 12);

export const STYLE_URL = `/dashboard/assets/dashboard.css?v=${version(DASHBOARD_STYLE)}`;
export const SCRIPT_URL = `/dashboard/assets/dashboard.js?v=${version(DASHBOARD_SCRIPT)}`;

/** Two arrows in a circle: syncing. */
const ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#0a58ca"/>' +
  '<path d="M9 14a7 7 0 0 1 12-4l2-2v6h-6l2-2a4.5 4.5 0 0 0-7.5 2zM23 18a7 7 0 0 1-12 4l-2 2v-6h6l-2 2a4.5 4.5 0 0 0 7.5-2z" fill="#fff"/></svg>';
export const ICON_URL = `/dashboard/assets/icon.svg?v=${version(ICON)}`;

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
  app.get('/dashboard/assets/icon.svg', () => serve(ICON, 'image/svg+xml'));
  return app;
}
