/**
 * GitLab sends the webhook secret itself in `X-Gitlab-Token` (no HMAC). It is compared with each
 * configured secret (old and new during a rotation) in constant time: both sides are hashed first, so
 * the compared buffers always have the same length and neither the secret's length nor a matching
 * prefix shows in the timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function matchesWebhookToken(token: string | undefined, secrets: readonly string[]): boolean {
  if (token === undefined || token === '') return false;
  const given = digest(token);
  let matched = false;
  // Every secret is compared, so how many there are and which one matched does not show either.
  for (const secret of secrets) {
    if (secret !== '' && timingSafeEqual(given, digest(secret))) matched = true;
  }
  return matched;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
