/**
 * Bitbucket signs a delivery with the webhook's secret: `X-Hub-Signature: sha256=<hex HMAC-SHA256 of
 * the raw body>`. Checked against every configured secret (old and new during a rotation) in
 * constant time, before anything of the body is parsed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

export function verifyBitbucketSignature(header: string | undefined, body: Buffer, secrets: readonly string[]): boolean {
  const match = header ? SIGNATURE.exec(header.trim()) : null;
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  let valid = false;
  // Every secret is compared, so the time taken does not tell which one (or whether an early one) matched.
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}
