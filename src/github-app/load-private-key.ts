/**
 * The GitHub App's private key as a PKCS#8 PEM, from what people actually paste into PRIVATE_KEY: the
 * .pem file as it is, the same with literal `\n` escapes (one-line .env files), the PEM on one line
 * with spaces, or the whole file base64-encoded. A key that cannot be read stops start-up with a
 * message saying what to set.
 */
import { createPrivateKey } from 'node:crypto';
import { UsageError } from '../errors.js';

const PEM = /-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----/s;

export function loadPrivateKey(raw: string, variable: 'PRIVATE_KEY' | 'PRIVATE_KEY_PATH'): string {
  let text = raw.trim().replaceAll('\\n', '\n');
  if (!text.includes('-----BEGIN') && /^[A-Za-z0-9+/=\s]+$/.test(text)) {
    text = Buffer.from(text, 'base64').toString('utf8').replaceAll('\\n', '\n');
  }
  const match = PEM.exec(text);
  if (!match) {
    throw new UsageError(
      `${variable} does not hold a PEM private key: use the .pem file GitHub generated for the App ` +
        '(from "-----BEGIN" to the "-----END" line), or point PRIVATE_KEY_PATH at that file.',
    );
  }
  // Spaces instead of line breaks (a PEM pasted on one line) would not parse: rewrap the base64 body.
  const body = match[2]!.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n');
  const pem = `-----BEGIN ${match[1]}-----\n${body.trim()}\n-----END ${match[1]}-----\n`;
  try {
    return createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (error) {
    throw new UsageError(
      `${variable} is not a readable private key (${(error as Error).message}): generate a new private key in the App's settings and use the .pem file as it is.`,
      { cause: error },
    );
  }
}
