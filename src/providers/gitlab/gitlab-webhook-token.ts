/**
 * GitLab sends the webhook secret itself in `X-Gitlab-Token` (no HMAC). It is compared with each
 * configured secret (old and new during a rotation) in constant time: both sides are hashed first, so
 * the compared buffers always have the same length and neither the secret's length nor a matching
 * prefix shows in the timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The index of the configured secret the token is, or -1 when it is none of them (or missing). */
export function matchWebhookToken(token: string | undefined, secrets: readonly string[]): number {
  if (token === undefined || token === '') return -1;
  const given = digest(token);
  let matched = -1;
  // Every secret is compared, so how many there are and which one matched does not show either.
  secrets.forEach((secret, index) => {
    if (secret !== '' && timingSafeEqual(given, digest(secret)) && matched === -1) matched = index;
  });
  return matched;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
