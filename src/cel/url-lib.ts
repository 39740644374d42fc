/**
 * The Kubernetes CEL URL library (k8s.io/apiserver/pkg/cel/library/urls.go): `url(string)`,
 * `isURL(string)` and the `kubernetes.URL` methods `getScheme() getHost() getHostname()
 * getPort() getEscapedPath() getQuery()`. A URL must pass Go's `url.ParseRequestURI` (an
 * absolute URI or an absolute path); its components come from `url.Parse` (fragment split off).
 */
import { celFunc, celMethod, CelScalar, listType, mapType, type CelFunc } from '@bufbuild/cel';
import { parses } from './ip-lib.js';
import { URL_TYPE, urlOf, urlValue } from './kube-types.js';
import { parseRequestURI, parseURL, urlHost, urlHostname, urlPort, urlQuery, type UrlParts } from './go-url.js';

const { STRING, BOOL } = CelScalar;

function toURL(s: string): UrlParts {
  try {
    parseRequestURI(s);
    return parseURL(s);
  } catch (e) {
    throw new Error(`URL parse error during conversion from string: ${(e as Error).message}`);
  }
}

/** A `kubernetes.URL` method returning one string component. */
function getter(name: string, get: (u: UrlParts) => string): CelFunc {
  return celMethod(name, URL_TYPE, [], STRING, function () {
    return get(urlOf(this));
  });
}

export const urlFuncs: CelFunc[] = [
  celFunc('url', [STRING], URL_TYPE, (s) => urlValue(toURL(s))),
  celFunc('isURL', [STRING], BOOL, (s) => parses(parseRequestURI, s)),
  getter('getScheme', (u) => u.scheme),
  getter('getHost', urlHost),
  getter('getHostname', urlHostname),
  getter('getPort', urlPort),
  getter('getEscapedPath', (u) => u.path),
  celMethod('getQuery', URL_TYPE, [], mapType(STRING, listType(STRING)), function () {
    return urlQuery(urlOf(this));
  }),
];
