/**
 * Feature gates, by their Kubernetes names, with Kubernetes v1.36 defaults.
 * The allocator's behaviour depends only on the derived `Features` (upstream's
 * `structured/internal.Features`); the WASM core never sees either.
 */

export const GATE_DEFAULTS = {
  DRAAdminAccess: true, // GA in 1.36
  DRAPrioritizedList: true, // GA in 1.36
  DRADeviceTaints: true, // beta
  DRAPartitionableDevices: true, // beta
  DRAConsumableCapacity: true, // beta
  DRADeviceBindingConditions: true, // beta
  DRAResourceClaimDeviceStatus: true, // beta
  DRAExtendedResource: true, // beta
  DRAListTypeAttributes: false, // alpha
  DRAWorkloadResourceClaims: false, // alpha: PodGroup resourceClaims (read by the scheduler, not the allocator)
} as const;

export type GateName = keyof typeof GATE_DEFAULTS;
export type FeatureGates = Record<GateName, boolean>;

/** What the allocator looks at (upstream `Features`). */
export interface Features {
  adminAccess: boolean;
  prioritizedList: boolean;
  deviceTaints: boolean;
  partitionableDevices: boolean;
  consumableCapacity: boolean;
  /** DRADeviceBindingConditions and DRAResourceClaimDeviceStatus together. */
  deviceBinding: boolean;
  listTypeAttributes: boolean;
  extendedResource: boolean;
}

export class FeatureGateError extends Error {}

/** Parses `K=V,K=V` (the `--feature-gates` flag) over the v1.36 defaults. */
export function parseFeatureGates(text: string | undefined, base: Partial<FeatureGates> = {}): FeatureGates {
  const gates: FeatureGates = { ...GATE_DEFAULTS, ...base };
  if (!text) return gates;
  for (const part of text.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq < 0) throw new FeatureGateError(`invalid feature gate "${item}": want NAME=true|false`);
    const name = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim().toLowerCase();
    if (!(name in GATE_DEFAULTS)) {
      throw new FeatureGateError(
        `unknown feature gate "${name}" (known: ${Object.keys(GATE_DEFAULTS).join(', ')})`,
      );
    }
    if (value !== 'true' && value !== 'false') {
      throw new FeatureGateError(`invalid value "${item.slice(eq + 1)}" for feature gate ${name}: want true or false`);
    }
    gates[name as GateName] = value === 'true';
  }
  return gates;
}

export function featuresFromGates(g: FeatureGates): Features {
  return {
    adminAccess: g.DRAAdminAccess,
    prioritizedList: g.DRAPrioritizedList,
    deviceTaints: g.DRADeviceTaints,
    partitionableDevices: g.DRAPartitionableDevices,
    consumableCapacity: g.DRAConsumableCapacity,
    deviceBinding: g.DRADeviceBindingConditions && g.DRAResourceClaimDeviceStatus,
    listTypeAttributes: g.DRAListTypeAttributes,
    extendedResource: g.DRAExtendedResource,
  };
}
