/**
 * A small in-memory Kubernetes API server for tests, speaking the real HTTP protocol for the
 * resources dralloc uses, so that the cluster code is driven only through @kubernetes/client-node:
 *
 * - one global resourceVersion counter (every write bumps it); lists carry it in
 *   `metadata.resourceVersion`; list items have no apiVersion/kind (as the real server sends);
 * - `GET ...?watch=true&resourceVersion=RV`: newline-delimited watch events (ADDED, MODIFIED,
 *   DELETED, BOOKMARK with `allowWatchBookmarks=true`) replayed from the history after RV, then
 *   live; an RV older than the compacted history gets an ERROR event with a 410 Expired Status
 *   (what kube-apiserver does) and the stream ends;
 * - POST (create; 409 AlreadyExists), PUT (409 Conflict on a stale `metadata.resourceVersion`),
 *   PATCH (JSON patch with `test`, merge patch), DELETE; `/status` subresources write only the
 *   status, the main resource only the rest; `pods/{name}/binding` sets `spec.nodeName` (409 when
 *   already bound);
 * - `restart()`: the server goes away (listener closed, every connection cut) and comes back on
 *   the same port, optionally with its history compacted; `expireWatches()` ends every watch
 *   with 410; `failNext()` injects API errors; `beforeWrite()` lets a test act as a concurrent
 *   client right before a write lands (so preconditions fail for real, e.g. a 409 on a PUT);
 * - `watchLag`: every watch event (replayed or live) reaches the client a random delay later,
 *   per watch in order (as kube-apiserver keeps it), so different kinds' watches overtake each
 *   other and a client's own write answers arrive long before the watch shows them.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface ResourceType {
  plural: string;
  kind: string;
  /** `v1` for the core group, else `group/version`. */
  apiVersion: string;
  namespaced: boolean;
}

const TYPES: ResourceType[] = [
  { plural: 'nodes', kind: 'Node', apiVersion: 'v1', namespaced: false },
  { plural: 'namespaces', kind: 'Namespace', apiVersion: 'v1', namespaced: false },
  { plural: 'pods', kind: 'Pod', apiVersion: 'v1', namespaced: true },
  { plural: 'events', kind: 'Event', apiVersion: 'v1', namespaced: true },
  { plural: 'events', kind: 'Event', apiVersion: 'events.k8s.io/v1', namespaced: true },
  { plural: 'resourceslices', kind: 'ResourceSlice', apiVersion: 'resource.k8s.io/v1', namespaced: false },
  { plural: 'deviceclasses', kind: 'DeviceClass', apiVersion: 'resource.k8s.io/v1', namespaced: false },
  { plural: 'resourceclaims', kind: 'ResourceClaim', apiVersion: 'resource.k8s.io/v1', namespaced: true },
  { plural: 'resourceclaimtemplates', kind: 'ResourceClaimTemplate', apiVersion: 'resource.k8s.io/v1', namespaced: true },
  { plural: 'devicetaintrules', kind: 'DeviceTaintRule', apiVersion: 'resource.k8s.io/v1beta2', namespaced: false },
  { plural: 'leases', kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', namespaced: true },
  { plural: 'podgroups', kind: 'PodGroup', apiVersion: 'scheduling.k8s.io/v1alpha2', namespaced: true },
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
interface HistoryEntry {
  rv: number;
  plural: string;
  type: EventType;
  object: Obj;
}
interface Watcher {
  type: ResourceType;
  namespace?: string;
  res: ServerResponse;
  bookmarks?: NodeJS.Timeout;
  /** When the last line sent on this watch is due (lines never overtake each other). */
  due: number;
}

/** Watch delivery delays: each event `minMs`..`maxMs` late (uniform), for the listed plurals or all. */
export interface WatchLag {
  minMs: number;
  maxMs: number;
  plurals?: string[];
}
interface Failure {
  method: string;
  path: RegExp;
  code: number;
  left: number;
  /** The request is carried out, only its answer is replaced by the error (an ambiguous write). */
  applied?: boolean;
}

/** A write request (POST, PUT, PATCH, DELETE) as `beforeWrite` hooks see it. */
export interface WriteRequest {
  method: string;
  /** Resource plural, e.g. `resourceclaims`. */
  plural: string;
  namespace?: string;
  name?: string;
  /** Subresource, e.g. `status` or `binding`. */
  sub?: string;
  /** The parsed request body (do not modify it). */
  body?: Obj;
}

export type WriteHook = (w: WriteRequest) => void;

export interface FakeApiServerOptions {
  /** How often open watches that asked for bookmarks get one (ms; default 100). */
  bookmarkIntervalMs?: number;
}

const clone = <T>(o: T): T => (o === undefined ? o : JSON.parse(JSON.stringify(o)));

export class FakeApiServer {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly store = new Map<string, Map<string, Obj>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly failures: Failure[] = [];
  private readonly writeHooks = new Set<WriteHook>();
  private rv = 1;
  /** Watches from a resourceVersion below this get 410 Gone. */
  private compactedRv = 0;
  private uid = 0;
  port = 0;
  /** Delays of watch events from now on (undefined: sent at once). */
  watchLag?: WatchLag;
  /**
   * Watches opened from now on send their response headers (and everything after) only this
   * many ms late, as a proxy that buffers a response until it has a body does.
   */
  watchHeaderDelayMs = 0;
  /** Counts of what clients did (for assertions on the protocol, not on timing). */
  readonly stats = { conflicts: 0, bindings: 0, gone: 0, watches: 0, lists: 0, gets: 0, injected: 0 };
  /** Events (core/v1 or events.k8s.io/v1) clients posted, in order. */
  readonly events: Obj[] = [];

  private constructor(private readonly opts: FakeApiServerOptions) {
    for (const t of TYPES) this.store.set(t.plural, new Map());
  }

  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const s = new FakeApiServer(opts);
    await s.listen(0);
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A kubeconfig (YAML text) pointing at this server. */
  kubeconfig(context = 'fake'): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${context}`,
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      `- name: ${context}`,
      '  user:',
      '    token: fake-token',
      'contexts:',
      `- name: ${context}`,
      '  context:',
      `    cluster: ${context}`,
      `    user: ${context}`,
      `current-context: ${context}`,
      '',
    ].join('\n');
  }

  private listen(port: number): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  /** Stops listening and cuts every connection (watches included). */
  async stop(): Promise<void> {
    for (const w of this.watchers) this.endWatch(w);
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** The server goes down for `downMs` and comes back on the same port; `compact` drops the history. */
  async restart(opts: { downMs?: number; compact?: boolean } = {}): Promise<void> {
    await this.stop();
    if (opts.compact) this.compact();
    await new Promise((r) => setTimeout(r, opts.downMs ?? 0));
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    await this.stop();
  }

  /** Forgets the history: watches from any resourceVersion before now get 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history.length = 0;
  }

  /** Ends every open watch with a 410 Expired ERROR event (as after etcd compaction). */
  expireWatches(): void {
    this.compact();
    for (const w of [...this.watchers]) {
      this.stats.gone++;
      this.send(w, { type: 'ERROR', object: status(410, 'Expired', 'too old resource version') });
      this.send(w, undefined);
    }
  }

  /** The next `count` requests with this method whose path matches fail with `code`. */
  failNext(method: string, path: RegExp, code: number, count = 1): void {
    this.failures.push({ method, path, code, left: count });
  }

  /**
   * The next `count` matching requests are carried out (stored, watch events sent) but answered
   * with `code`, as when kube-apiserver times out after etcd applied the write.
   */
  failAfterApplying(method: string, path: RegExp, code: number, count = 1): void {
    this.failures.push({ method, path, code, left: count, applied: true });
  }

  /**
   * Fault injection: `hook` runs synchronously right before every write request is applied —
   * after its body arrived, before any precondition (resourceVersion, AlreadyExists, binding)
   * is checked. A hook may change the store through create/update/remove as a concurrent
   * client would; those changes bump resourceVersions and emit watch events, so e.g. updating
   * a claim the request is about to PUT makes that PUT fail with a real 409 Conflict.
   * Returns a function that removes the hook.
   */
  beforeWrite(hook: WriteHook): () => void {
    this.writeHooks.add(hook);
    return () => void this.writeHooks.delete(hook);
  }

  // ---- direct store access for tests (each write is a real change with events) ----------------

  create(obj: Obj): Obj {
    const t = typeOfKind(obj.kind);
    const created = this.insert(t, clone(obj));
    if ('code' in created) throw new Error(created.message);
    return clone(created);
  }

  /** Replaces an object unconditionally (a controller's write). */
  update(obj: Obj): Obj {
    const t = typeOfKind(obj.kind);
    const key = keyOf(t, obj.metadata.namespace, obj.metadata.name);
    const old = this.store.get(t.plural)!.get(key);
    if (!old) throw new Error(`${t.kind} ${key} not found`);
    const next = clone(obj);
    next.metadata = { ...next.metadata, uid: old.metadata.uid, creationTimestamp: old.metadata.creationTimestamp };
    return clone(this.write(t, next, 'MODIFIED'));
  }

  remove(kind: string, name: string, namespace?: string): void {
    const t = typeOfKind(kind);
    const old = this.store.get(t.plural)!.get(keyOf(t, namespace, name));
    if (old) this.drop(t, old);
  }

  get(kind: string, name: string, namespace?: string): Obj | undefined {
    const t = typeOfKind(kind);
    const o = this.store.get(t.plural)!.get(keyOf(t, namespace, name));
    return o && withKind(t, o);
  }

  list(kind: string): Obj[] {
    const t = typeOfKind(kind);
    return [...this.store.get(t.plural)!.values()].map((o) => withKind(t, o));
  }

  // ---- store -----------------------------------------------------------------------------------

  private insert(t: ResourceType, obj: Obj): Obj | Obj & { code: number } {
    const meta = (obj.metadata ??= {});
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${(++this.uid).toString(36).padStart(5, 'x')}`;
    if (!meta.name) return status(422, 'Invalid', 'metadata.name: Required value');
    if (t.namespaced) meta.namespace ??= 'default';
    else delete meta.namespace;
    const key = keyOf(t, meta.namespace, meta.name);
    if (this.store.get(t.plural)!.has(key)) return status(409, 'AlreadyExists', `${t.plural} "${meta.name}" already exists`);
    meta.uid = `uid-${++this.uid}`;
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    delete obj.apiVersion;
    delete obj.kind;
    return this.write(t, obj, 'ADDED');
  }

  private write(t: ResourceType, obj: Obj, type: EventType): Obj {
    obj.metadata.resourceVersion = String(++this.rv);
    delete obj.apiVersion;
    delete obj.kind;
    this.store.get(t.plural)!.set(keyOf(t, obj.metadata.namespace, obj.metadata.name), obj);
    this.emit(t, type, obj);
    return obj;
  }

  private drop(t: ResourceType, old: Obj): void {
    this.store.get(t.plural)!.delete(keyOf(t, old.metadata.namespace, old.metadata.name));
    const gone = clone(old);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit(t, 'DELETED', gone);
  }

  private emit(t: ResourceType, type: EventType, obj: Obj): void {
    const entry: HistoryEntry = { rv: this.rv, plural: t.plural, type, object: clone(obj) };
    this.history.push(entry);
    for (const w of this.watchers) if (w.type === t && matchesNs(w, obj)) this.send(w, { type, object: withKind(t, obj) });
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const failure = this.failures.find((f) => f.left > 0 && f.method === method && f.path.test(url.pathname));
    if (failure) {
      failure.left--;
      this.stats.injected++;
      if (!failure.applied) return send(res, failure.code, status(failure.code, 'InternalError', 'injected failure'));
    }
    const route = parsePath(url.pathname);
    if (!route) return send(res, 404, status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
    // An ambiguous write: the request runs against a response that goes nowhere; the client gets the error.
    const answer = failure ? ({ writeHead: () => undefined, end: () => send(res, failure.code, status(failure.code, 'InternalError', 'injected failure after applying')) } as unknown as ServerResponse) : res;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Obj | undefined;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        return send(res, 400, status(400, 'BadRequest', 'invalid JSON body'));
      }
      this.route(route, method, url, req.headers['content-type'] ?? '', body, answer);
    });
  }

  private route(r: Route, method: string, url: URL, contentType: string, body: Obj | undefined, res: ServerResponse): void {
    const { type: t, namespace, name, sub } = r;
    if (method !== 'GET') for (const hook of [...this.writeHooks]) hook({ method, plural: t.plural, namespace, name, sub, body: body && clone(body) });
    const items = this.store.get(t.plural)!;
    if (!name) {
      if (method === 'GET' && (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1')) {
        return this.watch(t, namespace, url, res);
      }
      if (method === 'GET') {
        this.stats.lists++;
        const list = [...items.values()].filter((o) => !namespace || o.metadata.namespace === namespace);
        return send(res, 200, { apiVersion: t.apiVersion, kind: `${t.kind}List`, metadata: { resourceVersion: String(this.rv) }, items: list });
      }
      if (method === 'POST') {
        if (!body) return send(res, 400, status(400, 'BadRequest', 'missing body'));
        if (t.namespaced) body.metadata = { ...body.metadata, namespace };
        if (t.plural === 'events') this.events.push(clone(body));
        const out = this.insert(t, clone(body));
        return 'code' in out ? send(res, out.code, out) : send(res, 201, withKind(t, out));
      }
      return send(res, 405, status(405, 'MethodNotAllowed', `${method} not allowed on a collection`));
    }
    const key = keyOf(t, namespace, name);
    const current = items.get(key);
    if (sub === 'binding') {
      if (method !== 'POST' || t.plural !== 'pods') return send(res, 405, status(405, 'MethodNotAllowed', 'binding: POST pods only'));
      if (!current) return send(res, 404, status(404, 'NotFound', `pods "${name}" not found`));
      if (current.spec?.nodeName) {
        this.stats.conflicts++;
        return send(res, 409, status(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${current.spec.nodeName}"`));
      }
      const target = body?.target?.name;
      if (!target) return send(res, 422, status(422, 'Invalid', 'target.name: Required value'));
      const next = clone(current);
      next.spec.nodeName = target;
      const conditions = (next.status?.conditions ?? []).filter((c: Obj) => c.type !== 'PodScheduled');
      next.status = { ...next.status, conditions: [...conditions, { type: 'PodScheduled', status: 'True' }] };
      this.write(t, next, 'MODIFIED');
      this.stats.bindings++;
      return send(res, 201, { kind: 'Status', apiVersion: 'v1', status: 'Success', code: 201 });
    }
    if (sub && sub !== 'status') return send(res, 404, status(404, 'NotFound', `subresource ${sub} not supported`));
    if (!current) return send(res, 404, status(404, 'NotFound', `${t.plural} "${name}" not found`));
    switch (method) {
      case 'GET':
        this.stats.gets++;
        return send(res, 200, withKind(t, current));
      case 'DELETE':
        this.drop(t, current);
        return send(res, 200, withKind(t, current));
      case 'PUT': {
        if (!body) return send(res, 400, status(400, 'BadRequest', 'missing body'));
        const rv = body.metadata?.resourceVersion;
        if (rv && rv !== current.metadata.resourceVersion) return this.conflict(res, t, name);
        return this.commitUpdate(t, current, body, sub, res);
      }
      case 'PATCH': {
        if (!body) return send(res, 400, status(400, 'BadRequest', 'missing body'));
        let patched: Obj;
        if (contentType.includes('json-patch')) {
          const applied = jsonPatch(current, body as unknown as Obj[]);
          if (applied === 'test-failed') return this.conflict(res, t, name);
          if (typeof applied === 'string') return send(res, 422, status(422, 'Invalid', applied));
          patched = applied;
        } else {
          const rv = body.metadata?.resourceVersion;
          if (rv && rv !== current.metadata.resourceVersion) return this.conflict(res, t, name);
          patched = mergePatch(clone(current), body);
        }
        return this.commitUpdate(t, current, patched, sub, res);
      }
      default:
        return send(res, 405, status(405, 'MethodNotAllowed', `${method} not allowed`));
    }
  }

  private conflict(res: ServerResponse, t: ResourceType, name: string): void {
    this.stats.conflicts++;
    send(res, 409, status(409, 'Conflict', `Operation cannot be fulfilled on ${t.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`));
  }

  /** The main resource keeps the stored status; the status subresource keeps everything else. */
  private commitUpdate(t: ResourceType, current: Obj, body: Obj, sub: string | undefined, res: ServerResponse): void {
    const next: Obj = sub === 'status' ? { ...clone(current), status: clone(body.status) } : { ...clone(body), status: clone(current.status) };
    next.metadata = { ...(sub === 'status' ? current.metadata : body.metadata), uid: current.metadata.uid, name: current.metadata.name, namespace: current.metadata.namespace, creationTimestamp: current.metadata.creationTimestamp };
    if (next.status === undefined) delete next.status;
    send(res, 200, withKind(t, this.write(t, clone(next), 'MODIFIED')));
  }

  private watch(t: ResourceType, namespace: string | undefined, url: URL, res: ServerResponse): void {
    this.stats.watches++;
    const headers = () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
    };
    const w: Watcher = { type: t, namespace, res, due: 0 };
    if (this.watchHeaderDelayMs > 0) {
      w.due = Date.now() + this.watchHeaderDelayMs;
      setTimeout(() => !res.destroyed && !res.headersSent && headers(), this.watchHeaderDelayMs);
    } else {
      headers();
    }
    const from = url.searchParams.get('resourceVersion') ?? '';
    const rv = Number(from || '0');
    if (rv !== 0 && rv < this.compactedRv) {
      this.stats.gone++;
      writeLine(res, { type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${rv} (${this.compactedRv})`) });
      res.end();
      return;
    }
    if (rv === 0) {
      for (const o of this.store.get(t.plural)!.values()) if (matchesNs(w, o)) this.send(w, { type: 'ADDED', object: withKind(t, o) });
    } else {
      for (const h of this.history) {
        if (h.rv > rv && h.plural === t.plural && matchesNs(w, h.object)) this.send(w, { type: h.type, object: withKind(t, h.object) });
      }
    }
    this.watchers.add(w);
    if (url.searchParams.get('allowWatchBookmarks') === 'true') {
      w.bookmarks = setInterval(() => {
        this.send(w, { type: 'BOOKMARK', object: { apiVersion: t.apiVersion, kind: t.kind, metadata: { resourceVersion: String(this.rv) } } });
      }, this.opts.bookmarkIntervalMs ?? 100);
    }
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => this.endWatch(w), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      clearInterval(w.bookmarks);
      this.watchers.delete(w);
    });
  }

  /** Sends one watch line (undefined: ends the watch) now or, under `watchLag`, in order later. */
  private send(w: Watcher, event: unknown): void {
    const lag = this.watchLag;
    const now = Date.now();
    const line = () => (event === undefined ? this.endWatch(w) : writeLine(w.res, event));
    if (!lag || (lag.plurals && !lag.plurals.includes(w.type.plural))) {
      if (w.due <= now) return line();
    } else {
      w.due = Math.max(w.due, now + lag.minMs + Math.random() * (lag.maxMs - lag.minMs));
    }
    setTimeout(line, w.due - now);
  }

  private endWatch(w: Watcher): void {
    clearInterval(w.bookmarks);
    this.watchers.delete(w);
    w.res.end();
  }
}

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** `/api/v1/...` or `/apis/{group}/{version}/...`, then `[namespaces/{ns}/]{plural}[/{name}[/{sub}]]`. */
function parsePath(path: string): Route | undefined {
  const all = path.split('/').filter(Boolean);
  let apiVersion: string;
  let parts: string[];
  if (all[0] === 'api' && all[1] === 'v1') {
    apiVersion = 'v1';
    parts = all.slice(2);
  } else if (all[0] === 'apis' && all.length >= 3) {
    apiVersion = `${all[1]}/${all[2]}`;
    parts = all.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const type = TYPES.find((t) => t.plural === parts[0] && t.apiVersion === apiVersion);
  if (!type || (namespace && !type.namespaced)) return undefined;
  return { type, namespace, name: parts[1], sub: parts[2] };
}

function typeOfKind(kind: string): ResourceType {
  const t = TYPES.find((x) => x.kind === kind);
  if (!t) throw new Error(`fake apiserver: unknown kind ${kind}`);
  return t;
}

function keyOf(t: ResourceType, namespace: string | undefined, name: string): string {
  return t.namespaced ? `${namespace ?? 'default'}/${name}` : name;
}

function matchesNs(w: Watcher, o: Obj): boolean {
  return !w.namespace || o.metadata?.namespace === w.namespace;
}

function withKind(t: ResourceType, o: Obj): Obj {
  return { apiVersion: t.apiVersion, kind: t.kind, ...clone(o) };
}

function status(code: number, reason: string, message: string): Obj & { code: number; message: string } {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message, reason, code };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function writeLine(res: ServerResponse, event: unknown): void {
  if (!res.writableEnded) res.write(JSON.stringify(event) + '\n');
}

function mergePatch(target: Obj, patch: Obj): Obj {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof target[k] === 'object' && target[k] !== null && !Array.isArray(target[k])) target[k] = mergePatch(target[k], v);
    else target[k] = clone(v);
  }
  return target;
}

/** RFC 6902 add/replace/remove/test on object members and array indices; a string is an error. */
function jsonPatch(current: Obj, ops: Obj[]): Obj | string {
  const doc = clone(current);
  for (const op of ops) {
    const path = String(op.path).split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = path.pop()!;
    let parent: Obj = doc;
    for (const p of path) {
      if (parent[p] === undefined && op.op === 'add') parent[p] = {};
      parent = parent[p];
      if (parent === undefined || parent === null) return `path ${op.path} does not exist`;
    }
    switch (op.op) {
      case 'test':
        if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) return 'test-failed';
        break;
      case 'add':
      case 'replace':
        if (Array.isArray(parent) && last === '-') parent.push(clone(op.value));
        else (parent as Obj)[last] = clone(op.value);
        break;
      case 'remove':
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break;
      default:
        return `unsupported patch op ${op.op}`;
    }
  }
  return doc;
}
