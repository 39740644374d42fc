/**
 * The Kubernetes CEL quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go):
 * `quantity(string)`, `isQuantity(string)`, `sign(q)` and the `kubernetes.Quantity` methods
 * `sign() compareTo() isGreaterThan() isLessThan() add() sub() asInteger()
 * asApproximateFloat() isInteger()`; `add`/`sub` also accept an int.
 */
import { celFunc, celMethod, CelScalar, type CelFunc } from '@bufbuild/cel';
import { Quantity } from '../model/quantity.js';
import { QUANTITY_TYPE, quantityOf, quantityValue } from './kube-types.js';

const { STRING, BOOL, INT, DOUBLE } = CelScalar;
const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;

/** Go's `Quantity.AsInt64`: the value when it is an integer within int64, else undefined. */
function asInt64(q: Quantity): bigint | undefined {
  if (!q.isInteger()) return undefined;
  const v = q.value();
  return v < MIN_INT64 || v > MAX_INT64 ? undefined : v;
}

export const quantityFuncs: CelFunc[] = [
  celFunc('quantity', [STRING], QUANTITY_TYPE, (s) => quantityValue(Quantity.parse(s))),
  celFunc('isQuantity', [STRING], BOOL, (s) => Quantity.tryParse(s) !== undefined),
  celFunc('sign', [QUANTITY_TYPE], INT, (q) => BigInt(quantityOf(q).sign())),
  celMethod('sign', QUANTITY_TYPE, [], INT, function () {
    return BigInt(quantityOf(this).sign());
  }),
  celMethod('compareTo', QUANTITY_TYPE, [QUANTITY_TYPE], INT, function (other) {
    return BigInt(quantityOf(this).cmp(quantityOf(other)));
  }),
  celMethod('isGreaterThan', QUANTITY_TYPE, [QUANTITY_TYPE], BOOL, function (other) {
    return quantityOf(this).cmp(quantityOf(other)) === 1;
  }),
  celMethod('isLessThan', QUANTITY_TYPE, [QUANTITY_TYPE], BOOL, function (other) {
    return quantityOf(this).cmp(quantityOf(other)) === -1;
  }),
  celMethod('add', QUANTITY_TYPE, [QUANTITY_TYPE], QUANTITY_TYPE, function (other) {
    return quantityValue(quantityOf(this).add(quantityOf(other)));
  }),
  celMethod('add', QUANTITY_TYPE, [INT], QUANTITY_TYPE, function (n) {
    return quantityValue(quantityOf(this).add(Quantity.fromInt(n)));
  }),
  celMethod('sub', QUANTITY_TYPE, [QUANTITY_TYPE], QUANTITY_TYPE, function (other) {
    return quantityValue(quantityOf(this).sub(quantityOf(other)));
  }),
  celMethod('sub', QUANTITY_TYPE, [INT], QUANTITY_TYPE, function (n) {
    return quantityValue(quantityOf(this).sub(Quantity.fromInt(n)));
  }),
  celMethod('isInteger', QUANTITY_TYPE, [], BOOL, function () {
    return asInt64(quantityOf(this)) !== undefined;
  }),
  celMethod('asInteger', QUANTITY_TYPE, [], INT, function () {
    const v = asInt64(quantityOf(this));
    if (v === undefined) throw new Error('cannot convert value to integer');
    return v;
  }),
  celMethod('asApproximateFloat', QUANTITY_TYPE, [], DOUBLE, function () {
    return quantityOf(this).toNumber();
  }),
];
