/**
 * The Kubernetes CEL object types `kubernetes.Semver` and `kubernetes.Quantity`.
 *
 * @bufbuild/cel only knows scalars, lists, maps and protobuf messages, so both types are
 * declared as small runtime-built protobuf messages. Their fields hold a *canonical* form of the
 * value, which makes the library's built-in message equality coincide with Kubernetes' `==`:
 * - Semver: major/minor/patch and the pre-release string (build metadata dropped, as blang's
 *   `Version.EQ` ignores it);
 * - Quantity: the exact value in nano-units as a decimal string (so `1Gi == 1024Mi`).
 * The selector checker forbids field selection on these types, so the fields stay private.
 */
import { create, createFileRegistry, type DescMessage, type Registry } from '@bufbuild/protobuf';
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from '@bufbuild/protobuf/wkt';
import { objectType, type CelObjectType } from '@bufbuild/cel';
import { Quantity } from '../../model/quantity.js';
import type { SemanticVersion } from './semver.js';

const { UINT64, STRING } = FieldDescriptorProto_Type;

function field(name: string, number: number, type: FieldDescriptorProto_Type) {
  return { name, number, type, label: FieldDescriptorProto_Label.OPTIONAL, jsonName: name };
}

const file = create(FileDescriptorProtoSchema, {
  name: 'dralloc/kubernetes_cel.proto',
  package: 'kubernetes',
  syntax: 'proto3',
  messageType: [
    {
      name: 'Semver',
      field: [
        field('major', 1, UINT64),
        field('minor', 2, UINT64),
        field('patch', 3, UINT64),
        field('pre', 4, STRING),
      ],
    },
    { name: 'Quantity', field: [field('nano', 1, STRING)] },
  ],
});

/** Registry holding both message types; the CEL environment must be built with it. */
export const kubeRegistry: Registry = createFileRegistry(file, () => undefined);

function message(typeName: string): DescMessage {
  const desc = kubeRegistry.getMessage(typeName);
  if (!desc) throw new Error(`internal: ${typeName} missing from registry`);
  return desc;
}

const semverDesc = message('kubernetes.Semver');
const quantityDesc = message('kubernetes.Quantity');

export const SEMVER_TYPE: CelObjectType = objectType(semverDesc);
export const QUANTITY_TYPE: CelObjectType = objectType(quantityDesc);

interface SemverFields {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
}

/** Wraps a parsed version as a CEL `kubernetes.Semver` value. */
export function semverValue(v: SemanticVersion): ReflectMessage {
  return reflect(semverDesc, create(semverDesc, { major: v.major, minor: v.minor, patch: v.patch, pre: v.pre.join('.') }));
}

/** The version held by a `kubernetes.Semver` value (build metadata is not kept). */
export function semverOf(value: ReflectMessage): SemanticVersion {
  const m = value.message as unknown as SemverFields;
  return { major: m.major, minor: m.minor, patch: m.patch, pre: m.pre === '' ? [] : m.pre.split('.'), build: [] };
}

/** Wraps a quantity as a CEL `kubernetes.Quantity` value. */
export function quantityValue(q: Quantity): ReflectMessage {
  return reflect(quantityDesc, create(quantityDesc, { nano: q.nano.toString() }));
}

/** The quantity held by a `kubernetes.Quantity` value. */
export function quantityOf(value: ReflectMessage): Quantity {
  return Quantity.fromNano(BigInt((value.message as unknown as { nano: string }).nano));
}
