/**
 * Connecting to a cluster: the only module that loads @kubernetes/client-node, and it does so
 * lazily (`await import()`, ~0.5 s) so that commands working on files never pay for it.
 *
 * Credentials are found as kubectl finds them: `--in-cluster` forces the Pod's service account;
 * else `--kubeconfig FILE`; else the files in $KUBECONFIG (path-list, merged; missing files
 * skipped); else ~/.kube/config; else the in-cluster service account when running in a Pod.
 * Nothing found is an error naming what was tried. `--context` picks a context of the kubeconfig.
 *
 * Connections are kept alive and reused (keepAliveAgents): client-node 1.4.0 makes a new agent —
 * a new TCP connection and TLS handshake — for every request otherwise.
 */

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Agent } from 'node:http';
import { InputError } from '../model/errors.js';

/** @internal */
export type ClientNode = typeof import('@kubernetes/client-node');

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
}

/**
 * One cluster connection: typed API clients sharing the KubeConfig's server and credentials.
 * Published as opaque (only `server`): the clients' types are client-node's, and its
 * declarations need packages (@types/ws) a user of `dralloc/k8s` should not have to install, so
 * the fields marked internal are stripped from the .d.ts (tsconfig `stripInternal`).
 */
export interface Cluster {
  /** @internal */ k8s: ClientNode;
  /** @internal */ kc: InstanceType<ClientNode['KubeConfig']>;
  /** @internal */ core: InstanceType<ClientNode['CoreV1Api']>;
  /** @internal */ resource: InstanceType<ClientNode['ResourceV1Api']>;
  /** @internal */ resourceAlpha3: InstanceType<ClientNode['ResourceV1alpha3Api']>;
  /** @internal */ coordination: InstanceType<ClientNode['CoordinationV1Api']>;
  /** @internal */ events: InstanceType<ClientNode['EventsV1Api']>;
  /** The API server URL, for messages. */
  server: string;
}

export async function connect(opts: ConnectOptions = {}): Promise<Cluster> {
  const k8s = await loadClientNode();
  const kc = new k8s.KubeConfig();
  const source = findConfig(opts);
  try {
    if (source.inCluster) kc.loadFromCluster();
    else for (const file of source.files) kc.mergeConfig(loadFile(k8s, file), !!kc.getCurrentContext());
  } catch (e) {
    throw new InputError(`${source.label}: cannot load: ${(e as Error).message}`);
  }
  if (opts.context) {
    if (!kc.getContexts().some((c) => c.name === opts.context)) {
      throw new InputError(`--context ${opts.context}: no such context in the kubeconfig (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InputError('kubeconfig: no current cluster (set current-context or pass --context)');
  keepAliveAgents(kc);
  return {
    k8s,
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    resource: kc.makeApiClient(k8s.ResourceV1Api),
    resourceAlpha3: kc.makeApiClient(k8s.ResourceV1alpha3Api),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
    events: kc.makeApiClient(k8s.EventsV1Api),
    server: cluster.server,
  };
}

/** The peer version range, as in package.json `peerDependencies` (checked by test/package). */
export const CLIENT_NODE_RANGE = '1.4.0';

/**
 * @kubernetes/client-node is an optional peer dependency: a package that only embeds the engine
 * does not need it. Absent, connecting fails with how to install it (an InputError: the CLI
 * prints it and exits 2).
 */
async function loadClientNode(): Promise<ClientNode> {
  try {
    return await import('@kubernetes/client-node');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String((e as Error).message).includes("'@kubernetes/client-node'")) throw e;
    throw new InputError(
      `talking to a cluster needs the optional peer dependency @kubernetes/client-node, which is not installed: npm install @kubernetes/client-node@'${CLIENT_NODE_RANGE}'`,
    );
  }
}

/** Idle kept-alive connections are closed after this long (below Node's 5 s server keep-alive, so reuse does not race a server's close). */
const IDLE_SOCKET_MS = 4000;

/**
 * Makes the KubeConfig hand out one keep-alive agent per distinct set of agent options instead
 * of a new agent per request. The options (server, proxy, TLS material) come from the
 * kubeconfig, so in practice there is one agent. Only idle sockets time out (Node destroys free
 * sockets on timeout; an open watch is never cut by it).
 */
function keepAliveAgents(kc: Cluster['kc']): void {
  // createAgent(cluster, agentOptions) is private in client-node's typings (called for every request).
  type CreateAgent = (cluster: { server?: string; proxyUrl?: string } | null, options: Record<string, unknown>) => Agent;
  const target = kc as unknown as { createAgent: CreateAgent };
  const create = target.createAgent.bind(kc);
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, o) => {
    const key = JSON.stringify([cluster?.server, cluster?.proxyUrl, o.rejectUnauthorized, o.servername, o.ca, o.cert, o.key, o.pfx, o.passphrase].map((v) => (v === undefined ? null : String(v))));
    let agent = agents.get(key);
    if (!agent) {
      agent = create(cluster, { ...o, keepAlive: true, timeout: IDLE_SOCKET_MS });
      agents.set(key, agent);
    }
    return agent;
  };
}

/** The service account files a Pod gets (what client-node's loadFromCluster reads). */
const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

function findConfig(opts: ConnectOptions): { label: string; files: string[]; inCluster?: boolean } {
  if (opts.inCluster) {
    if (!inPod()) throw new InputError(`--in-cluster: no service account here (${SERVICE_ACCOUNT}/token and KUBERNETES_SERVICE_HOST)`);
    return { label: '--in-cluster', files: [], inCluster: true };
  }
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new InputError(`--kubeconfig ${opts.kubeconfig}: no such file`);
    return { label: opts.kubeconfig, files: [opts.kubeconfig] };
  }
  const fromEnv = (process.env.KUBECONFIG ?? '').split(delimiter).filter((f) => f && existsSync(f));
  if (fromEnv.length > 0) return { label: `KUBECONFIG=${process.env.KUBECONFIG}`, files: fromEnv };
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return { label: home, files: [home] };
  if (inPod()) return { label: 'in-cluster service account', files: [], inCluster: true };
  throw new InputError('no kubeconfig found (tried --kubeconfig, KUBECONFIG, ~/.kube/config, in-cluster service account)');
}

function inPod(): boolean {
  return !!process.env.KUBERNETES_SERVICE_HOST && existsSync(join(SERVICE_ACCOUNT, 'token'));
}

/** One kubeconfig file (when merging several, the first current-context wins, as kubectl). */
function loadFile(k8s: ClientNode, file: string): InstanceType<ClientNode['KubeConfig']> {
  const one = new k8s.KubeConfig();
  one.loadFromFile(file);
  return one;
}

/** The HTTP status of a failed client-node call (ApiException.code), or undefined for other errors. */
export function httpStatus(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A failed API call as one line: `409 Conflict: <the server's message>` or the error's message. */
export function apiErrorText(e: unknown): string {
  const err = e as { code?: number; body?: unknown; message?: string };
  const body = typeof err.body === 'string' ? safeParse(err.body) : err.body;
  const message = (body as { message?: string } | undefined)?.message;
  if (typeof err.code === 'number') return `HTTP ${err.code}${message ? `: ${message}` : ''}`;
  // undici's "fetch failed" says why only in its cause (ECONNREFUSED, a TLS error, ...).
  const cause = (e as { cause?: { code?: string; message?: string } } | null)?.cause;
  const why = cause?.code ?? cause?.message;
  return `${err.message ?? String(e)}${why ? ` (${why})` : ''}`;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The connection flags every cluster command takes (node:util parseArgs options). */
export const CONNECT_FLAGS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'in-cluster': { type: 'boolean', default: false },
} as const;

export const CONNECT_USAGE = `  --kubeconfig FILE    kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME       kubeconfig context (default: its current-context)
  --in-cluster         use the Pod's service account (when running inside the cluster)`;

export function connectOptions(v: { kubeconfig?: string; context?: string; 'in-cluster'?: boolean }): ConnectOptions {
  return { kubeconfig: v.kubeconfig, context: v.context, inCluster: v['in-cluster'] };
}
