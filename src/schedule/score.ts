/** The DRA plugin's node score (kube-scheduler's dynamicresources Score), for the schedule strategies and embedders. */

import type { ResourceClaim } from '../model/types.js';
import type { Outcome } from '../outcome.js';

import { FIRST_AVAILABLE_MAX } from '../wasm/layout.js';

/** Upstream's bound on firstAvailable subrequests (the placement kernel scores with it too, so the ABI defines it). */
export { FIRST_AVAILABLE_MAX };

/** The DRA plugin's score: Σ over firstAvailable requests of 8 − index of the chosen subrequest. */
export function draScore(claims: readonly ResourceClaim[], outcome: Outcome & { kind: 'allocated' }): number {
  let score = 0;
  claims.forEach((c, i) => {
    for (const r of c.spec?.devices?.requests ?? []) {
      if (!r.firstAvailable?.length) continue;
      const result = outcome.results[i].devices?.results?.find((x) => x.request.startsWith(`${r.name}/`));
      const sub = result ? r.firstAvailable.findIndex((s) => result.request === `${r.name}/${s.name}`) : 0;
      score += FIRST_AVAILABLE_MAX - Math.max(0, sub);
    }
  });
  return score;
}

