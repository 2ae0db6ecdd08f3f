/**
 * The data of one simulated GitHub repository: issues (and pull requests, which share their
 * numbering) in compact columns so 100,000 of them fit in a few megabytes, with text fields
 * generated from the number unless a seed or an edit overrides them; Dependabot alerts as plain
 * objects. Sorted views are built lazily and cached until the next change.
 */
export interface IssueSeed {
  title?: string;
  body?: string | null;
  state?: 'open' | 'closed';
  stateReason?: string | null;
  labels?: string[];
  author?: string;
  assignees?: string[];
  milestone?: string | null;
  comments?: number;
  locked?: boolean;
  createdAt?: Date;
  updatedAt?: Date;
  closedAt?: Date | null;
}

export interface AlertSeed {
  state?: 'open' | 'fixed' | 'dismissed' | 'auto_dismissed';
  severity?: 'low' | 'medium' | 'high' | 'critical';
  package?: string;
  ecosystem?: string;
  manifestPath?: string;
  summary?: string | null;
  description?: string;
  ghsaId?: string;
  cveId?: string | null;
  dismissedReason?: string | null;
  createdAt?: Date;
  updatedAt?: Date;
}

export type DependabotStatus = 'enabled' | 'disabled' | 'forbidden';
export type Seeds<T> = T | ((index: number) => T);

interface Alert {
  number: number;
  seed: AlertSeed;
  created: number;
  updated: number;
  closed: number;
}

const CLOSED = 1;
const PULL_REQUEST = 2;
const LOCKED = 4;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const ECOSYSTEMS = [
  ['npm', 'lodash', 'package-lock.json'],
  ['pip', 'requests', 'requirements.txt'],
  ['maven', 'log4j-core', 'pom.xml'],
] as const;

export const isoSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
const toSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** The simulator's clock in whole seconds; every change moves it forward. */
export interface SimulatorClock {
  now(): number;
  /** Moves the clock `seconds` forward and returns the new time. */
  advance(seconds: number): number;
  /** The time of an edit: now, or a second after the latest change when the clock runs ahead. */
  edit(): number;
  /** Makes sure the clock is not behind `seconds`. */
  catchUp(seconds: number): void;
}

export class SimulatedRepository {
  readonly fullName: string;
  dependabot: DependabotStatus = 'enabled';
  /** Bumped by every change; listings, ETags and caches key on it. */
  version = 0;
  private readonly created: number[] = [];
  private readonly updated: number[] = [];
  private readonly closed: number[] = [];
  private readonly flags: number[] = [];
  private readonly overrides = new Map<number, IssueSeed>();
  private readonly alerts: Alert[] = [];
  private views = new Map<string, Int32Array>();
  private viewsVersion = -1;

  constructor(
    readonly owner: string,
    readonly name: string,
    readonly id: number,
    private readonly clock: SimulatorClock,
    /** The simulator's API base URL and the web URL items link to. */
    private readonly urls: { api: string; html: string },
  ) {
    this.fullName = `${owner}/${name}`;
  }

  get itemCount(): number {
    return this.created.length;
  }

  /** Adds issues created one minute apart; returns their numbers. */
  addIssues(count: number, seeds?: Seeds<IssueSeed>): number[] {
    return this.addItems(count, seeds, 0);
  }

  addPullRequests(count: number, seeds?: Seeds<IssueSeed>): number[] {
    return this.addItems(count, seeds, PULL_REQUEST);
  }

  /** Applies `changes` and bumps `updated_at` to the next second (unless `changes.updatedAt` says otherwise). */
  editIssue(number: number, changes: IssueSeed = {}): void {
    const index = this.indexOf(number);
    const updated = changes.updatedAt ? toSeconds(changes.updatedAt) : this.clock.edit();
    this.clock.catchUp(updated);
    this.updated[index] = updated;
    if (changes.state) {
      const closing = changes.state === 'closed';
      this.flags[index] = closing ? this.flags[index]! | CLOSED : this.flags[index]! & ~CLOSED;
      this.closed[index] = closing ? updated : -1;
    }
    if (changes.closedAt !== undefined) this.closed[index] = changes.closedAt ? toSeconds(changes.closedAt) : -1;
    if (changes.locked !== undefined) {
      this.flags[index] = changes.locked ? this.flags[index]! | LOCKED : this.flags[index]! & ~LOCKED;
    }
    const text = textFields(changes);
    if (Object.keys(text).length > 0) this.overrides.set(index, { ...this.overrides.get(index), ...text });
    this.version += 1;
  }

  addAlerts(count: number, seeds?: Seeds<AlertSeed>): number[] {
    const numbers: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const seed = typeof seeds === 'function' ? seeds(i) : (seeds ?? {});
      const number = this.alerts.length + 1;
      const created = seed.createdAt ? toSeconds(seed.createdAt) : this.clock.advance(60);
      const updated = seed.updatedAt ? toSeconds(seed.updatedAt) : created;
      this.clock.catchUp(updated);
      const state = seed.state ?? 'open';
      this.alerts.push({ number, seed: { ...seed, state }, created, updated, closed: state === 'open' ? -1 : updated });
      numbers.push(number);
    }
    this.version += 1;
    return numbers;
  }

  editAlert(number: number, changes: AlertSeed): void {
    const alert = this.alerts[number - 1];
    if (!alert) throw new Error(`No Dependabot alert #${number} in ${this.fullName}.`);
    alert.seed = { ...alert.seed, ...changes };
    alert.updated = changes.updatedAt ? toSeconds(changes.updatedAt) : this.clock.edit();
    this.clock.catchUp(alert.updated);
    alert.closed = alert.seed.state === 'open' ? -1 : alert.updated;
    this.version += 1;
  }

  openIssueCount(): number {
    return this.view('created', 'open').length;
  }

  /** Item indexes in ascending `sort` order (ties by number), filtered by state. */
  view(sort: 'created' | 'updated', state: string): Int32Array {
    if (this.viewsVersion !== this.version) {
      this.views = new Map();
      this.viewsVersion = this.version;
    }
    const key = `${sort}:${state}`;
    let view = this.views.get(key);
    if (!view) {
      const keys = sort === 'created' ? this.created : this.updated;
      const indexes: number[] = [];
      for (let index = 0; index < keys.length; index += 1) {
        const closed = (this.flags[index]! & CLOSED) !== 0;
        if (state === 'all' || (state === 'closed') === closed) indexes.push(index);
      }
      indexes.sort((a, b) => keys[a]! - keys[b]! || a - b);
      view = Int32Array.from(indexes);
      this.views.set(key, view);
    }
    return view;
  }

  updatedAt(index: number): number {
    return this.updated[index]!;
  }

  /** Issue (or pull request) `number` as GitHub's REST API shows it. */
  issue(number: number): Record<string, unknown> {
    return this.issueJson(this.indexOf(number));
  }

  /** Issue (or pull request) `number` as `GET /repos/{o}/{r}/issues/{n}` shows it; undefined when there is none. */
  findIssue(number: number): Record<string, unknown> | undefined {
    return Number.isInteger(number) && number >= 1 && number <= this.created.length ? this.issueJson(number - 1) : undefined;
  }

  /** Dependabot alert `number`; undefined when there is none. */
  findAlert(number: number): Record<string, unknown> | undefined {
    const alert = this.alerts[number - 1];
    return alert ? this.alertJson(alert) : undefined;
  }

  issueJson(index: number): Record<string, unknown> {
    const { api: apiUrl, html: htmlUrl } = this.urls;
    const number = index + 1;
    const flags = this.flags[index]!;
    const pull = (flags & PULL_REQUEST) !== 0;
    const closed = (flags & CLOSED) !== 0;
    const seed = this.overrides.get(index) ?? {};
    const author = seed.author ?? `user${number % 50}`;
    const milestone = seed.milestone === undefined ? (number % 10 === 0 ? 'v1.0' : null) : seed.milestone;
    const html = `${htmlUrl}/${this.fullName}/${pull ? 'pull' : 'issues'}/${number}`;
    const api = `${apiUrl}/repos/${this.fullName}/issues/${number}`;
    return {
      url: api,
      html_url: html,
      id: this.id * 1_000_000 + number,
      node_id: `I_sim${this.id}_${number}`,
      number,
      title: seed.title ?? `${pull ? 'Pull request' : 'Issue'} ${number}`,
      body: seed.body === undefined ? `Generated ${pull ? 'pull request' : 'issue'} number ${number}.` : seed.body,
      user: { login: author, id: number % 50, type: 'User' },
      labels: (seed.labels ?? defaultLabels(number)).map((name) => ({ name, color: 'ededed', default: false })),
      state: closed ? 'closed' : 'open',
      state_reason: closed ? (seed.stateReason ?? 'completed') : (seed.stateReason ?? null),
      locked: (flags & LOCKED) !== 0,
      assignees: (seed.assignees ?? (number % 5 === 0 ? [`user${(number + 1) % 50}`] : [])).map((login) => ({ login })),
      milestone: milestone === null ? null : { title: milestone, number: 1, state: 'open' },
      comments: seed.comments ?? number % 7,
      created_at: isoSeconds(this.created[index]!),
      updated_at: isoSeconds(this.updated[index]!),
      closed_at: this.closed[index]! >= 0 ? isoSeconds(this.closed[index]!) : null,
      author_association: 'CONTRIBUTOR',
      ...(pull ? { pull_request: { url: api.replace('/issues/', '/pulls/'), html_url: html, merged_at: null } } : {}),
    };
  }

  /** Alerts in `sort` order, ascending, filtered by a comma list of states (all when empty). */
  alertList(sort: 'created' | 'updated', states: string[]): Alert[] {
    const key = (alert: Alert) => (sort === 'created' ? alert.created : alert.updated);
    return this.alerts
      .filter((alert) => states.length === 0 || states.includes(alert.seed.state ?? 'open'))
      .sort((a, b) => key(a) - key(b) || a.number - b.number);
  }

  alertJson(alert: Alert): Record<string, unknown> {
    const { api: apiUrl, html: htmlUrl } = this.urls;
    const { seed, number } = alert;
    const [ecosystem, name, manifest] = ECOSYSTEMS[number % ECOSYSTEMS.length]!;
    const severity = seed.severity ?? SEVERITIES[number % SEVERITIES.length]!;
    const pkg = { ecosystem: seed.ecosystem ?? ecosystem, name: seed.package ?? name };
    const state = seed.state ?? 'open';
    const closedAt = alert.closed >= 0 ? isoSeconds(alert.closed) : null;
    return {
      number,
      state,
      dependency: { package: pkg, manifest_path: seed.manifestPath ?? manifest, scope: 'runtime' },
      security_advisory: {
        ghsa_id: seed.ghsaId ?? `GHSA-sim${number}-0000-0000`,
        cve_id: seed.cveId === undefined ? `CVE-2024-${10000 + number}` : seed.cveId,
        summary: seed.summary === undefined ? `Vulnerability ${number} in ${pkg.name}` : seed.summary,
        description: seed.description ?? `A generated advisory for ${pkg.name}.`,
        severity,
      },
      security_vulnerability: { package: pkg, severity, vulnerable_version_range: '< 1.0.0' },
      url: `${apiUrl}/repos/${this.fullName}/dependabot/alerts/${number}`,
      html_url: `${htmlUrl}/${this.fullName}/security/dependabot/${number}`,
      created_at: isoSeconds(alert.created),
      updated_at: isoSeconds(alert.updated),
      fixed_at: state === 'fixed' ? closedAt : null,
      dismissed_at: state === 'dismissed' ? closedAt : null,
      dismissed_reason: state === 'dismissed' ? (seed.dismissedReason ?? 'tolerable_risk') : null,
      dismissed_by: null,
      dismissed_comment: null,
      auto_dismissed_at: state === 'auto_dismissed' ? closedAt : null,
    };
  }

  sortKeyOf(alert: Alert, sort: 'created' | 'updated'): number {
    return sort === 'created' ? alert.created : alert.updated;
  }

  private addItems(count: number, seeds: Seeds<IssueSeed> | undefined, kind: number): number[] {
    const numbers: number[] = [];
    let latest = 0;
    for (let i = 0; i < count; i += 1) {
      const seed = typeof seeds === 'function' ? seeds(i) : (seeds ?? {});
      const index = this.created.length;
      const number = index + 1;
      const created = seed.createdAt ? toSeconds(seed.createdAt) : this.clock.advance(60);
      // Updates spread over the following three days, so update order differs from creation order.
      const updated = seed.updatedAt ? toSeconds(seed.updatedAt) : created + ((number * 7919) % 259_200);
      const closedState = seed.state ? seed.state === 'closed' : number % 4 === 0;
      this.created.push(created);
      this.updated.push(updated);
      this.closed.push(closedState ? (seed.closedAt ? toSeconds(seed.closedAt) : updated) : -1);
      this.flags.push(kind | (closedState ? CLOSED : 0) | (seed.locked ? LOCKED : 0));
      const text = textFields(seed);
      if (Object.keys(text).length > 0) this.overrides.set(index, text);
      latest = Math.max(latest, created, updated);
      numbers.push(number);
    }
    // Later edits get a newer `updated_at` than anything generated so far.
    this.clock.catchUp(latest);
    this.version += 1;
    return numbers;
  }

  private indexOf(number: number): number {
    const index = number - 1;
    if (!Number.isInteger(index) || index < 0 || index >= this.created.length) {
      throw new Error(`No issue #${number} in ${this.fullName}.`);
    }
    return index;
  }
}

function defaultLabels(number: number): string[] {
  const kind = ['bug', 'enhancement', 'question'][number % 3]!;
  return number % 10 === 0 ? [kind, 'p1'] : [kind];
}

function textFields(seed: IssueSeed): IssueSeed {
  const { title, body, stateReason, labels, author, assignees, milestone, comments } = seed;
  const fields: IssueSeed = { title, body, stateReason, labels, author, assignees, milestone, comments };
  for (const key of Object.keys(fields) as (keyof IssueSeed)[]) if (fields[key] === undefined) delete fields[key];
  return fields;
}
