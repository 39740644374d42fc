/**
 * `lint` on PodGroups (scheduling.k8s.io/v1alpha2, v1.36) and Pods with spec.schedulingGroup:
 * the API server's field errors (texts from pkg/apis/scheduling/validation and the declarative
 * tags of the v1alpha2 types, see docs/gangs.md) and the gang warnings.
 */
import { describe, it, expect } from 'vitest';
import { lintString, formatFinding } from '../../src/lint/index.js';
import { loadText } from '../../src/model/load.js';

const CEL = { consumableCapacity: true, listTypeAttributes: false };
const group = (name: string, spec: string) => `apiVersion: scheduling.k8s.io/v1alpha2\nkind: PodGroup\nmetadata: {name: ${name}}\nspec:\n${spec}\n`;
const pod = (name: string, extra = '') => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers: [{name: c}]\n${extra}`;
const findings = (...docs: string[]) => lintString(docs.join('---\n'), 'g.yaml', CEL).map((f) => `${f.severity} ${f.rule} ${f.object}: ${f.path}: ${f.message}`);

describe('PodGroup validation', () => {
  it('accepts both policies and a template reference', () => {
    expect(findings(
      group('basic', '  schedulingPolicy: {basic: {}}'),
      group('gang', '  podGroupTemplateRef: {workload: {workloadName: train.v1, podGroupTemplateName: worker}}\n  schedulingPolicy: {gang: {minCount: 2}}'),
      pod('p0', '  schedulingGroup: {podGroupName: gang}\n'),
      pod('p1', '  schedulingGroup: {podGroupName: gang}\n'),
    )).toEqual([]);
  });

  it('the policy union: none set, both set', () => {
    expect(findings(group('none', '  schedulingPolicy: {}'), group('both', '  schedulingPolicy: {basic: {}, gang: {minCount: 1}}'))).toEqual([
      'error one-of PodGroup none: spec.schedulingPolicy: Invalid value: "": must specify one of: `basic`, `gang`',
      'error one-of PodGroup both: spec.schedulingPolicy: Invalid value: "{`basic`, `gang`}": exactly one of `basic`, `gang` is required, but multiple fields are set',
    ]);
  });

  it('minCount: absent or 0 is Required, negative is not positive', () => {
    expect(findings(
      group('absent', '  schedulingPolicy: {gang: {}}'),
      group('zero', '  schedulingPolicy: {gang: {minCount: 0}}'),
      group('negative', '  schedulingPolicy: {gang: {minCount: -3}}'),
    )).toEqual([
      'error required PodGroup absent: spec.schedulingPolicy.gang.minCount: Required value',
      'error required PodGroup zero: spec.schedulingPolicy.gang.minCount: Required value',
      'error invalid-value PodGroup negative: spec.schedulingPolicy.gang.minCount: Invalid value: -3: must be greater than zero',
    ]);
  });

  it('names: the group (DNS subdomain), template reference parts, resource claims (at most 4, one source each)', () => {
    const claims = ['a', 'b', 'c', 'd', 'e'].map((n) => `  - {name: ${n}, resourceClaimName: rc-${n}}`).join('\n');
    const out = findings(
      group('Bad_Group', '  schedulingPolicy: {basic: {}}'),
      group('ref', '  podGroupTemplateRef: {workload: {workloadName: "", podGroupTemplateName: "a.b"}}\n  schedulingPolicy: {basic: {}}'),
      group('claims', `  schedulingPolicy: {basic: {}}\n  resourceClaims:\n${claims}\n  - {name: a, resourceClaimName: x, resourceClaimTemplateName: y}`),
    );
    expect(out.map((f) => f.replace(/: Invalid value: ("[^"]*"): .*$/, ': $1'))).toEqual([
      'error invalid-name PodGroup Bad_Group: metadata.name: "Bad_Group"',
      'error required PodGroup ref: spec.podGroupTemplateRef.workload.workloadName: Required value',
      'error invalid-name PodGroup ref: spec.podGroupTemplateRef.workload.podGroupTemplateName: "a.b"',
      'error too-many PodGroup claims: spec.resourceClaims: Too many: 6: must have at most 4 items',
      'error duplicate PodGroup claims: spec.resourceClaims[5].name: Duplicate value: "a"',
      'error one-of PodGroup claims: spec.resourceClaims[5]: Invalid value: {"name":"a","resourceClaimName":"x","resourceClaimTemplateName":"y"}: must specify one of: `resourceClaimName`, `resourceClaimTemplateName`',
    ]);
  });

  it('a Pod: schedulingGroup needs a podGroupName that is a DNS subdomain', () => {
    expect(findings(pod('a', '  schedulingGroup: {}\n'), pod('b', '  schedulingGroup: {podGroupName: "No_Such"}\n')).filter((f) => f.startsWith('error'))).toEqual([
      'error required Pod a: spec.schedulingGroup.podGroupName: Required value',
      expect.stringContaining('error invalid-name Pod b: spec.schedulingGroup.podGroupName: Invalid value: "No_Such": a lowercase RFC 1123 subdomain'),
    ]);
  });
});

describe('PodGroup warnings', () => {
  it('a Pod whose PodGroup is missing (namespaced), a gang smaller than minCount, mixed schedulerNames (at the field\'s line)', () => {
    const out = lintString([
      group('train', '  schedulingPolicy: {gang: {minCount: 3}}'),
      pod('w0', '  schedulingGroup: {podGroupName: train}\n'),
      pod('w1', '  schedulingGroup: {podGroupName: train}\n  schedulerName: dralloc\n'),
      pod('lost', '  schedulingGroup: {podGroupName: elsewhere}\n'),
      pod('other-ns', '  schedulingGroup: {podGroupName: train}\n').replace('{name: other-ns}', '{name: other-ns, namespace: team-b}'),
    ].join('---\n'), 'g.yaml', CEL);
    expect(out.map(formatFinding)).toEqual([
      'g.yaml:1: PodGroup train: its Pods use different schedulerNames (default-scheduler, dralloc): kube-scheduler rejects every Pod of the group',
      'g.yaml:5: PodGroup train: spec.schedulingPolicy.gang.minCount: 3, but 2 Pods of the input belong to the group: none is scheduled until minCount Pods exist',
      "g.yaml:27: Pod lost: spec.schedulingGroup.podGroupName: PodGroup default/elsewhere is not in the input: the Pod stays pending until it exists (PodGroups are namespaced: the Pod's namespace is searched)",
      "g.yaml:34: Pod team-b/other-ns: spec.schedulingGroup.podGroupName: PodGroup team-b/train is not in the input: the Pod stays pending until it exists (PodGroups are namespaced: the Pod's namespace is searched)",
    ]);
    expect(out.every((f) => f.severity === 'warning')).toBe(true);
  });

  it('a Pod entry named like a PodGroup claim but with another source does not share it', () => {
    const out = findings(
      group('train', '  schedulingPolicy: {basic: {}}\n  resourceClaims:\n  - {name: shared, resourceClaimTemplateName: gpu-1}'),
      pod('same', '  schedulingGroup: {podGroupName: train}\n  resourceClaims: [{name: shared, resourceClaimTemplateName: gpu-1}]\n'),
      pod('other', '  schedulingGroup: {podGroupName: train}\n  resourceClaims: [{name: own, resourceClaimTemplateName: gpu-1}, {name: shared, resourceClaimName: mine}]\n'),
    ).filter((f) => f.includes('pod-group-claim-differs'));
    expect(out).toEqual([
      'warning pod-group-claim-differs Pod other: spec.resourceClaims[1]: named like claim "shared" of PodGroup train (resourceClaimTemplateName gpu-1) but with resourceClaimName mine: only an entry equal in every field shares the group\'s claim; this Pod gets its own',
    ]);
  });
});

describe('decoding', () => {
  it('reads PodGroups of scheduling.k8s.io/v1alpha2 and refuses other versions and wrong types', () => {
    const ok = loadText(group('g', '  schedulingPolicy: {gang: {minCount: 4}}'), 'g.yaml');
    expect(ok.objects[0].object).toMatchObject({ kind: 'PodGroup', spec: { schedulingPolicy: { gang: { minCount: 4 } } } });
    expect(() => loadText(group('g', '  schedulingPolicy: {gang: {minCount: 4}}').replace('v1alpha2', 'v1alpha1'), 'g.yaml')).toThrow(
      'g.yaml: document 1 (PodGroup g): apiVersion: scheduling.k8s.io/v1alpha1 is not supported for PodGroup (use scheduling.k8s.io/v1alpha2)',
    );
    expect(() => loadText(group('g', '  schedulingPolicy: {gang: {minCount: "4"}}'), 'g.yaml')).toThrow('spec.schedulingPolicy.gang.minCount: expected an integer, got string');
    expect(() => loadText(pod('p', '  schedulingGroup: {podGroupName: 7}\n'), 'p.yaml')).toThrow('spec.schedulingGroup.podGroupName: expected a string, got number');
  });
});
