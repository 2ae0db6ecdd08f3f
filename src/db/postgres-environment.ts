/**
 * The environment of the processes the embedded database runs (initdb, the postmaster, and the `id`,
 * `useradd` and `ps` they need): an allow-list, so the service's secrets (PRIVATE_KEY, ADMIN_TOKEN,
 * ENCRYPTION_KEY, the webhook secrets, DATABASE_URL, provider tokens) never reach them, and a variable
 * added tomorrow doesn't either. PostgreSQL needs only where to find programs, its locale and time
 * zone, and a temp dir; it is given its data dir, port and password on its command line and in files.
 */
const KEPT = new Set(['PATH', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'LD_LIBRARY_PATH']);

export function postgresEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (KEPT.has(name) || name.startsWith('LC_'))) kept[name] = value;
  }
  // Messages in English, whatever the locale: start-up failures are recognised by their text.
  kept.LC_MESSAGES = 'C';
  return kept;
}
