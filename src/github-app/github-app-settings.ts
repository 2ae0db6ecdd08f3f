/**
 * Whether `serve` runs the GitHub App, and with what. All of APP_ID, a private key (PRIVATE_KEY or
 * PRIVATE_KEY_PATH) and WEBHOOK_SECRET: the App runs. None of them: it does not (CLI syncs with a
 * token still work). Only some: start-up stops naming what is missing, because a half-configured App
 * would silently drop every webhook.
 */
import { readFile } from 'node:fs/promises';
import type { Config } from '../config.js';
import { UsageError, errorMessage } from '../errors.js';
import { loadPrivateKey } from './load-private-key.js';

export interface GitHubAppConfig {
  appId: string;
  /** PKCS#8 PEM. */
  privateKey: string;
  webhookSecret: string;
  /** WEBHOOK_SECRET split on commas: the old and the new secret while it is rotated. */
  webhookSecrets: string[];
  /** `https://api.github.com`, `https://HOST/api/v3` (GitHub Enterprise Server) or a local simulator. */
  apiUrl: string;
}

export const GITHUB_APP_VARIABLES = 'APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET';

/** The App's settings, or null when none of its variables is set. */
export async function loadGitHubAppConfig(config: Config): Promise<GitHubAppConfig | null> {
  const { appId, privateKey, privateKeyPath, webhookSecret, apiUrl } = config.github;
  const present = {
    APP_ID: appId !== undefined,
    PRIVATE_KEY: privateKey !== undefined || privateKeyPath !== undefined,
    WEBHOOK_SECRET: config.hosts.github.webhookSecrets.length > 0,
  };
  const missing = Object.entries(present).filter(([, set]) => !set).map(([name]) => name);
  if (missing.length === 3) return null;
  if (missing.length > 0) {
    const names = missing.map((name) => (name === 'PRIVATE_KEY' ? 'PRIVATE_KEY (or PRIVATE_KEY_PATH)' : name));
    throw new UsageError(
      `The GitHub App is only partly configured: ${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} not set. ` +
        `Set all of ${GITHUB_APP_VARIABLES} to run the App, or none of them to run without it.`,
    );
  }
  return {
    appId: appId!,
    privateKey: privateKey !== undefined ? loadPrivateKey(privateKey, 'PRIVATE_KEY') : await readKeyFile(privateKeyPath!),
    webhookSecret: webhookSecret!,
    webhookSecrets: config.hosts.github.webhookSecrets,
    apiUrl,
  };
}

async function readKeyFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`PRIVATE_KEY_PATH ${path} cannot be read (${errorMessage(error)}): point it at the App's .pem file.`, {
      cause: error,
    });
  }
  return loadPrivateKey(text, 'PRIVATE_KEY_PATH');
}
