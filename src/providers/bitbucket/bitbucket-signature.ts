/**
 * Bitbucket signs a delivery with the webhook's secret: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of
 * the raw body>`. Checked against every configured secret (old and new during a rotation) in
 * constant time, before anything of the body is parsed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** The index of the configured secret that signed the body, or -1 when none did (or no signature). */
export function matchBitbucketSignature(header: string | undefined, body: Buffer, secrets: readonly string[]): number {
  const match = header ? SIGNATURE.exec(header.trim()) : null;
  if (!match) return -1;
  const given = Buffer.from(match[1]!, 'hex');
  let matched = -1;
  // Every secret is compared, so the time taken does not tell which one (or whether an early one) matched.
  secrets.forEach((secret, index) => {
    const expected = createHmac('sha256', secret).update(body).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given) && matched === -1) matched = index;
  });
  return matched;
}
