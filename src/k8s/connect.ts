/**
 * Connecting to a cluster: the only module that loads @kubernetes/client-node, and it does so
 * lazily (`await import()`, ~0.5 s) so that commands working on files never pay for it.
 *
 * Credentials come from, in this order: `--in-cluster` (the Pod's service account), the
 * `--kubeconfig` file, or the default chain ($KUBECONFIG, ~/.kube/config, then the in-cluster
 * config when running in a Pod). `--context` picks a context of the kubeconfig.
 */

import { InputError } from '../model/errors.js';

export type ClientNode = typeof import('@kubernetes/client-node');

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  inCluster?: boolean;
}

/** One cluster connection: typed API clients sharing the KubeConfig's server and credentials. */
export interface Cluster {
  k8s: ClientNode;
  kc: InstanceType<ClientNode['KubeConfig']>;
  core: InstanceType<ClientNode['CoreV1Api']>;
  resource: InstanceType<ClientNode['ResourceV1Api']>;
  resourceBeta2: InstanceType<ClientNode['ResourceV1beta2Api']>;
  resourceAlpha3: InstanceType<ClientNode['ResourceV1alpha3Api']>;
  coordination: InstanceType<ClientNode['CoordinationV1Api']>;
  /** The API server URL, for messages. */
  server: string;
}

export async function connect(opts: ConnectOptions = {}): Promise<Cluster> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    if (opts.inCluster) kc.loadFromCluster();
    else if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new InputError(`${opts.kubeconfig ?? 'kubeconfig'}: cannot load: ${(e as Error).message}`);
  }
  if (opts.context) {
    if (!kc.getContexts().some((c) => c.name === opts.context)) {
      throw new InputError(`--context ${opts.context}: no such context in the kubeconfig (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InputError('kubeconfig: no current cluster (set current-context or pass --context)');
  return {
    k8s,
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    resource: kc.makeApiClient(k8s.ResourceV1Api),
    resourceBeta2: kc.makeApiClient(k8s.ResourceV1beta2Api),
    resourceAlpha3: kc.makeApiClient(k8s.ResourceV1alpha3Api),
    coordination: kc.makeApiClient(k8s.CoordinationV1Api),
    server: cluster.server,
  };
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
  return typeof err.code === 'number' ? `HTTP ${err.code}${message ? `: ${message}` : ''}` : (err.message ?? String(e));
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
