/**
 * Which of the configured webhook secrets (old and new during a rotation) a delivery was signed with,
 * said by position ("secret 2 of 2", in a field named signedWith: one named like a secret
 * would be redacted from the log) and never by value: the log shows when the old one is no longer used.
 */
export function secretPosition(index: number, count: number): string {
  return `secret ${index + 1} of ${count}`;
}
