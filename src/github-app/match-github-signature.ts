/**
 * GitHub signs a delivery with the App's webhook secret: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256
 * of the raw body>`. Checked against every configured secret (WEBHOOK_SECRET may hold `old,new` during
 * a rotation) in constant time, before anything of the body is parsed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** The index of the configured secret that signed the payload, or -1 when none did. */
export function matchGitHubSignature(payload: string, header: string, secrets: readonly string[]): number {
  const match = SIGNATURE.exec(header.trim());
  if (!match) return -1;
  const given = Buffer.from(match[1]!, 'hex');
  let matched = -1;
  // Every secret is compared, so the time taken does not tell which one matched.
  secrets.forEach((secret, index) => {
    const expected = createHmac('sha256', secret).update(payload, 'utf8').digest();
    if (timingSafeEqual(expected, given) && matched === -1) matched = index;
  });
  return matched;
}
