/**
 * The Kubernetes CEL semver library (k8s.io/apiserver/pkg/cel/library/semverlib.go):
 * `semver(string[, normalize])`, `isSemver(string[, normalize])` and the `kubernetes.Semver`
 * methods `major() minor() patch() compareTo() isGreaterThan() isLessThan()`.
 */
import { celFunc, celMethod, CelScalar, type CelFunc } from '@bufbuild/cel';
import { compareSemver, parseSemver, parseSemverNormalized } from './semver.js';
import { SEMVER_TYPE, semverOf, semverValue } from './kube-types.js';

const { STRING, BOOL, INT } = CelScalar;

function isValid(s: string, normalize: boolean): boolean {
  try {
    (normalize ? parseSemverNormalized : parseSemver)(s);
    return true;
  } catch {
    return false;
  }
}

export const semverFuncs: CelFunc[] = [
  celFunc('semver', [STRING], SEMVER_TYPE, (s) => semverValue(parseSemver(s))),
  celFunc('semver', [STRING, BOOL], SEMVER_TYPE, (s, normalize) =>
    semverValue((normalize ? parseSemverNormalized : parseSemver)(s)),
  ),
  celFunc('isSemver', [STRING], BOOL, (s) => isValid(s, false)),
  celFunc('isSemver', [STRING, BOOL], BOOL, (s, normalize) => isValid(s, normalize)),
  celMethod('major', SEMVER_TYPE, [], INT, function () {
    return BigInt.asIntN(64, semverOf(this).major);
  }),
  celMethod('minor', SEMVER_TYPE, [], INT, function () {
    return BigInt.asIntN(64, semverOf(this).minor);
  }),
  celMethod('patch', SEMVER_TYPE, [], INT, function () {
    return BigInt.asIntN(64, semverOf(this).patch);
  }),
  celMethod('compareTo', SEMVER_TYPE, [SEMVER_TYPE], INT, function (other) {
    return BigInt(compareSemver(semverOf(this), semverOf(other)));
  }),
  celMethod('isGreaterThan', SEMVER_TYPE, [SEMVER_TYPE], BOOL, function (other) {
    return compareSemver(semverOf(this), semverOf(other)) === 1;
  }),
  celMethod('isLessThan', SEMVER_TYPE, [SEMVER_TYPE], BOOL, function (other) {
    return compareSemver(semverOf(this), semverOf(other)) === -1;
  }),
];
