/**
 * The Kubernetes CEL object types `kubernetes.Semver`, `kubernetes.Quantity`, `net.IP`,
 * `net.CIDR` and `kubernetes.URL`.
 *
 * @bufbuild/cel only knows scalars, lists, maps and protobuf messages, so both types are
 * declared as small runtime-built protobuf messages. Their fields hold a *canonical* form of the
 * value, which makes the library's built-in message equality coincide with Kubernetes' `==`:
 * - Semver: major/minor/patch and the pre-release string (build metadata dropped, as blang's
 *   `Version.EQ` ignores it);
 * - Quantity: the exact value in nano-units as a decimal string (so `1Gi == 1024Mi`);
 * - IP: the 4 or 16 address bytes (Go's `netip.Addr ==`; zones are rejected before);
 * - CIDR: the address bytes as written (host bits kept) and the prefix length (`netip.Prefix ==`);
 * - URL: the parsed components (equal components ⇔ equal `URL.String()`, upstream's `==`).
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
import { Quantity } from '../model/quantity.js';
import type { Addr, Prefix } from './netip.js';
import type { SemanticVersion } from './semver.js';
import type { UrlParts } from './go-url.js';

const { UINT64, UINT32, STRING, BYTES } = FieldDescriptorProto_Type;

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
    {
      name: 'URL',
      field: ['scheme', 'opaque', 'user', 'host', 'path', 'query', 'fragment'].map((name, i) => field(name, i + 1, STRING)),
    },
  ],
});

/** `net.IP` and `net.CIDR` live in package `net`, as upstream names them. */
const netFile = create(FileDescriptorProtoSchema, {
  name: 'dralloc/net_cel.proto',
  package: 'net',
  syntax: 'proto3',
  messageType: [
    { name: 'IP', field: [field('addr', 1, BYTES)] },
    { name: 'CIDR', field: [field('addr', 1, BYTES), field('bits', 2, UINT32)] },
  ],
});

/** Registry holding all the message types; the CEL environment must be built with it. */
export const kubeRegistry: Registry = createFileRegistry(
  createFileRegistry(file, () => undefined),
  createFileRegistry(netFile, () => undefined),
);

function message(typeName: string): DescMessage {
  const desc = kubeRegistry.getMessage(typeName);
  if (!desc) throw new Error(`internal: ${typeName} missing from registry`);
  return desc;
}

const semverDesc = message('kubernetes.Semver');
const quantityDesc = message('kubernetes.Quantity');

const ipDesc = message('net.IP');
const cidrDesc = message('net.CIDR');
const urlDesc = message('kubernetes.URL');

export const SEMVER_TYPE: CelObjectType = objectType(semverDesc);
export const QUANTITY_TYPE: CelObjectType = objectType(quantityDesc);
export const IP_TYPE: CelObjectType = objectType(ipDesc);
export const CIDR_TYPE: CelObjectType = objectType(cidrDesc);
export const URL_TYPE: CelObjectType = objectType(urlDesc);

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

/** Wraps a zone-less address as a CEL `net.IP` value. */
export function ipValue(a: Addr): ReflectMessage {
  return reflect(ipDesc, create(ipDesc, { addr: Uint8Array.from(a.bytes) }));
}

/** The address held by a `net.IP` value. */
export function ipOf(value: ReflectMessage): Addr {
  return { bytes: [...(value.message as unknown as { addr: Uint8Array }).addr], zone: '' };
}

/** Wraps a zone-less prefix as a CEL `net.CIDR` value. */
export function cidrValue(p: Prefix): ReflectMessage {
  return reflect(cidrDesc, create(cidrDesc, { addr: Uint8Array.from(p.addr.bytes), bits: p.bits }));
}

/** The prefix held by a `net.CIDR` value. */
export function cidrOf(value: ReflectMessage): Prefix {
  const m = value.message as unknown as { addr: Uint8Array; bits: number };
  return { addr: { bytes: [...m.addr], zone: '' }, bits: m.bits };
}

/** Wraps parsed URL components as a CEL `kubernetes.URL` value. */
export function urlValue(u: UrlParts): ReflectMessage {
  return reflect(urlDesc, create(urlDesc, { ...u }));
}

/** The components held by a `kubernetes.URL` value. */
export function urlOf(value: ReflectMessage): UrlParts {
  const { scheme, opaque, user, host, path, query, fragment } = value.message as unknown as UrlParts;
  return { scheme, opaque, user, host, path, query, fragment };
}
