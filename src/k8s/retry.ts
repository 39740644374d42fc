/** How a step of a live scheduling attempt failed, as the attempt's caller needs to know it. */

import { httpStatus } from './connect.js';

/** A step of one attempt failed in a way that is retried later (the message says why). */
export class Retry extends Error {}

/** This replica stopped leading during an attempt: what it wrote stays for the new leader. */
export class NotLeader extends Retry {}

/** The API server may have applied the failed request: a 5xx, or no answer at all. */
export function ambiguous(e: unknown): boolean {
  const code = httpStatus(e);
  return code === undefined || code >= 500;
}
