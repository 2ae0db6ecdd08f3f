import { describe, expect, it } from 'vitest';
import { webhookEventTime } from '../../src/metrics/webhook-event-time.js';

describe('webhookEventTime', () => {
  it('takes the newest updated_at of a GitHub issue, comment or alert', () => {
    const body = {
      issue: { updated_at: '2026-12-02T09:00:00Z' },
      comment: { updated_at: '2026-12-02T09:00:05Z' },
      repository: { updated_at: '2026-12-02T10:00:00Z' },
    };
    expect(webhookEventTime('github', body)).toEqual(new Date('2026-12-02T09:00:05Z'));
    expect(webhookEventTime('github', { alert: { updated_at: '2026-12-01T00:00:00Z' } })).toEqual(new Date('2026-12-01T00:00:00Z'));
  });

  it("reads GitLab's object_attributes.updated_at in both of its forms", () => {
    expect(webhookEventTime('gitlab', { object_attributes: { updated_at: '2026-11-03 17:15:43 UTC' } })).toEqual(
      new Date('2026-11-03T17:15:43Z'),
    );
    expect(webhookEventTime('gitlab', { object_attributes: { updated_at: '2026-11-03T17:15:43+01:00' } })).toEqual(
      new Date('2026-11-03T16:15:43Z'),
    );
  });

  it('is null where the payload says nothing of when: installation events, Bitbucket pushes, unreadable dates', () => {
    expect(webhookEventTime('github', { action: 'created', installation: { id: 1 } })).toBeNull();
    expect(webhookEventTime('bitbucket', { push: { changes: [{ new: { target: { date: '2026-12-02T09:00:00Z' } } }] } })).toBeNull();
    expect(webhookEventTime('gitlab', { object_attributes: { updated_at: 'yesterday' } })).toBeNull();
  });
});
