/**
 * Deterministic uids for Pods and ResourceClaims that have none.
 *
 * The API server gives every object a random RFC 4122 UUID (`metadata.uid`); files written by
 * hand or by `dralloc gen` usually carry none, and `status.reservedFor[].uid` would then be
 * empty. `dralloc schedule` stamps, on every Pod and claim without a uid, the name-based UUID
 * (version 5, RFC 4122 §4.3: SHA-1 in the URL namespace) of the name `<Kind>/<namespace>/<name>`
 * (namespace `default` when unset), e.g. `Pod/default/train-0`. Same input → same uids; an object
 * that has a uid keeps it. Uids stay unique as long as kind/namespace/name is (as in a cluster).
 */

import type { DraObject, Pod, ResourceClaim } from '../model/types.js';

/** RFC 4122 Appendix C: NameSpace_URL, 6ba7b811-9dad-11d1-80b4-00c04fd430c8. */
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');

/** The version-5 UUID of `<kind>/<namespace>/<name>`, in the canonical 8-4-4-4-12 lower-case hex form. */
export function deterministicUid(kind: string, namespace: string, name: string): string {
  const h = sha1OfUrlName(`${kind}/${namespace}/${name}`);
  h[6] = (h[6] & 0x0f) | 0x50; // version 5
  h[8] = (h[8] & 0x3f) | 0x80; // variant RFC 4122
  let o = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[o++] = 0x2d; // '-'
    text[o++] = HEX_DIGITS[h[i] >>> 4];
    text[o++] = HEX_DIGITS[h[i] & 15];
  }
  return text.toString('latin1', 0, 36);
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** The 36 characters of the uid being formatted. */
const text = Buffer.alloc(36);

/** The message buffer (namespace, name, padding), grown for long names; digest holds the 20-byte result. */
let message = Buffer.alloc(256);
const digest = new Uint8Array(20);
const w = new Int32Array(80);
/** The round constants of rounds 0–19, 20–39, 40–59 and 60–79. */
const K = new Int32Array([0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6]);

/**
 * SHA-1 (FIPS 180-4 §6.1) of URL_NAMESPACE followed by the UTF-8 of `name`, into `digest`
 * (overwritten by the next call). Computed here rather than by node:crypto because a
 * createHash object per name costs ~10× the hashing itself, and a run stamps one uid per Pod
 * and claim; test/schedule/uids.test.ts compares it with node:crypto.
 */
function sha1OfUrlName(name: string): Uint8Array {
  const most = 16 + 3 * name.length + 72; // UTF-8 is at most 3 bytes per UTF-16 unit; padding at most 72
  if (message.length < most) message = Buffer.alloc(most);
  URL_NAMESPACE.copy(message, 0);
  const len = 16 + message.write(name, 16, 'utf8');
  const blocks = (len + 8 + 64) >>> 6; // the 0x80 byte and the 64-bit length must fit
  message.fill(0, len, blocks << 6);
  message[len] = 0x80;
  const bits = len * 8;
  message.writeUInt32BE(Math.floor(bits / 0x100000000), (blocks << 6) - 8);
  message.writeUInt32BE(bits >>> 0, (blocks << 6) - 4);
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  for (let b = 0; b < blocks; b++) {
    const o = b << 6;
    for (let t = 0; t < 16; t++) {
      const i = o + 4 * t;
      w[t] = (message[i] << 24) | (message[i + 1] << 16) | (message[i + 2] << 8) | message[i + 3];
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let bb = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      const f = t < 20 ? (bb & c) | (~bb & d) : t < 40 || t >= 60 ? bb ^ c ^ d : (bb & c) | (bb & d) | (c & d);
      const temp = (((a << 5) | (a >>> 27)) + f + e + K[(t / 20) | 0] + w[t]) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = temp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + bb) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const hs = [h0, h1, h2, h3, h4];
  for (let i = 0; i < 5; i++) {
    digest[4 * i] = hs[i] >>> 24;
    digest[4 * i + 1] = (hs[i] >>> 16) & 0xff;
    digest[4 * i + 2] = (hs[i] >>> 8) & 0xff;
    digest[4 * i + 3] = hs[i] & 0xff;
  }
  return digest;
}

/** The object itself when it has a uid, else a copy with its deterministic uid. */
export function withUid<T extends Pod | ResourceClaim>(o: T): T {
  if (o.metadata.uid) return o;
  const uid = deterministicUid(o.kind, o.metadata.namespace ?? 'default', o.metadata.name ?? '');
  return { ...o, metadata: { ...o.metadata, uid } };
}

/**
 * The input with uids stamped on Pods and claims that have none. A given claim's reservedFor
 * entry that names, with an empty uid, a Pod of its namespace in the input gets that Pod's uid,
 * so that every reservation names the uid the Pod carries. Other objects are returned as they are.
 */
export function stampUids(objects: readonly DraObject[]): DraObject[] {
  const podUids = new Map<string, string>();
  const stamped = objects.map((o) => {
    if (o.kind !== 'Pod' && o.kind !== 'ResourceClaim') return o;
    const s = withUid(o);
    if (s.kind === 'Pod') podUids.set(`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s.metadata.uid!);
    return s;
  });
  return stamped.map((o) => {
    const reservedFor = o.kind === 'ResourceClaim' ? o.status?.reservedFor : undefined;
    if (o.kind !== 'ResourceClaim' || !reservedFor?.some((r) => !r.uid)) return o;
    const ns = o.metadata.namespace ?? 'default';
    const filled = reservedFor.map((r) => {
      const uid = !r.uid && r.resource === 'pods' && !r.apiGroup ? podUids.get(`${ns}/${r.name}`) : undefined;
      return uid ? { ...r, uid } : r;
    });
    return { ...o, status: { ...o.status, reservedFor: filled } };
  });
}
