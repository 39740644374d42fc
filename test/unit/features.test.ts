import { describe, expect, it } from 'vitest';
import { FeatureGateError, GATE_DEFAULTS, featuresFromGates, parseFeatureGates } from '../../src/features.js';

/** Kubernetes v1.36: GA/beta gates on, DRAListTypeAttributes (alpha) off. */
const V136 = {
  DRAAdminAccess: true,
  DRAPrioritizedList: true,
  DRADeviceTaints: true,
  DRAPartitionableDevices: true,
  DRAConsumableCapacity: true,
  DRADeviceBindingConditions: true,
  DRAResourceClaimDeviceStatus: true,
  DRAExtendedResource: true,
  DRAListTypeAttributes: false,
  DRAWorkloadResourceClaims: false,
};

describe('feature gates', () => {
  it('defaults are Kubernetes v1.36\'s', () => {
    expect({ ...GATE_DEFAULTS }).toEqual(V136);
    expect(parseFeatureGates(undefined)).toEqual(V136);
    expect(parseFeatureGates('')).toEqual(V136);
  });

  it('K=V,K=V overrides, case-insensitive values, spaces and empty items ignored', () => {
    const g = parseFeatureGates(' DRAListTypeAttributes=TRUE , DRADeviceTaints=false,,');
    expect(g).toEqual({ ...V136, DRAListTypeAttributes: true, DRADeviceTaints: false });
  });

  it('overrides apply over a given base', () => {
    const g = parseFeatureGates('DRAAdminAccess=true', { DRAAdminAccess: false, DRAExtendedResource: false });
    expect(g).toEqual({ ...V136, DRAExtendedResource: false });
  });

  it('rejects unknown gates, bad values and items without "="', () => {
    const known = Object.keys(V136).join(', ');
    expect(() => parseFeatureGates('DRAFoo=true')).toThrow(FeatureGateError);
    expect(() => parseFeatureGates('DRAFoo=true')).toThrow(`unknown feature gate "DRAFoo" (known: ${known})`);
    expect(() => parseFeatureGates('DRAAdminAccess=yes')).toThrow('invalid value "yes" for feature gate DRAAdminAccess: want true or false');
    expect(() => parseFeatureGates('DRAAdminAccess')).toThrow('invalid feature gate "DRAAdminAccess": want NAME=true|false');
  });

  it('features: deviceBinding needs both binding gates', () => {
    const on = featuresFromGates(parseFeatureGates(undefined));
    expect(on).toEqual({
      adminAccess: true,
      prioritizedList: true,
      deviceTaints: true,
      partitionableDevices: true,
      consumableCapacity: true,
      deviceBinding: true,
      listTypeAttributes: false,
      extendedResource: true,
    });
    expect(featuresFromGates(parseFeatureGates('DRAResourceClaimDeviceStatus=false')).deviceBinding).toBe(false);
    expect(featuresFromGates(parseFeatureGates('DRADeviceBindingConditions=false')).deviceBinding).toBe(false);
  });
});
