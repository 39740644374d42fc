// The solver's ABI, WASM side: the one definition of the memory contract between the host and
// the solver. Its TypeScript twin is src/wasm/layout.ts (H_NDEV here is H.NDEV there);
// test/unit/layout.test.ts fails unless both define the same constants with the same values.
// The host lays problems out with src/wasm/run.ts and calls the exports of index.ts.
//
// One solve = one problem block in linear memory. The block starts with a header of i32 words;
// word H_* holds a count or the byte offset (relative to the block start) of a region. The
// host lays out and fills every input region, the solver owns the work and output regions
// (it zeroes them itself). All numbers are integers: device, slot, counter and constraint
// indices, attribute value ids, and quantities as i64 milli-units.
//
// Indices: D devices (in upstream search order), C claims, R requests (all claims, in order),
// S slots (one per request without subrequests, one per subrequest), K constraints.

export const H_NDEV: i32 = 0;
export const H_NCLAIM: i32 = 1;
export const H_NREQ: i32 = 2;
export const H_NSLOT: i32 = 3;
export const H_NCOUNTER: i32 = 4;
export const H_NCAP: i32 = 5;
export const H_NCONS: i32 = 6;
/** Unused: it held the step budget, which the host now checks between slices of `run`. */
export const H_RESERVED: i32 = 7;
/** i32 × D: DEV_* flag bits. */
export const H_DEV_FLAGS: i32 = 8;
/** i32 × (D+1): start of each device's counter consumption pairs. */
export const H_DEV_CNT_START: i32 = 9;
/** i32 × P: counter index of each consumption pair. */
export const H_CNT_IDX: i32 = 10;
/** i64 × P: amount of each consumption pair. */
export const H_CNT_AMT: i32 = 11;
/** i64 × nCounter: what is left of each counter (mutated during the search, restored on backtrack). */
export const H_COUNTER_AVAIL: i32 = 12;
/** i64 × nCap: what is left of each shareable device capacity (mutated, restored). */
export const H_CAP_AVAIL: i32 = 13;
/** i32 × (C+1): first request index of each claim. */
export const H_CLAIM_REQ_START: i32 = 14;
/** i32 × (R+1): first slot of each request. */
export const H_REQ_SLOT_START: i32 = 15;
/** i32 × R: 1 when the request has subrequests (firstAvailable). */
export const H_REQ_HAS_SUBS: i32 = 16;
/** i32 × S: MODE_EXACT or MODE_ALL. */
export const H_SLOT_MODE: i32 = 17;
/** i32 × S: number of devices the slot needs. */
export const H_SLOT_NUM: i32 = 18;
/** i32 × S: 1 for adminAccess requests. */
export const H_SLOT_ADMIN: i32 = 19;
/** u8 × S × D: ST_* bits of each (slot, device) pair. */
export const H_SLOT_STATUS: i32 = 20;
/** i32 × (S+1): start of each slot's list in H_ALL_LIST (mode All). */
export const H_SLOT_ALL_START: i32 = 21;
/** i32: device indices that an All slot must take, in order. */
export const H_ALL_LIST: i32 = 22;
/** i32 × (S×D+1): start of each (slot, device) pair's capacity demands. */
export const H_SLOT_CAPUSE_START: i32 = 23;
/** i32: capacity index (into H_CAP_AVAIL) of each demand. */
export const H_CAPUSE_IDX: i32 = 24;
/** i64: amount of each demand. */
export const H_CAPUSE_AMT: i32 = 25;
/** i32 × K: claim of each constraint. */
export const H_CONS_CLAIM: i32 = 26;
/** i32 × K: CONS_MATCH or CONS_DISTINCT. */
export const H_CONS_KIND: i32 = 27;
/**
 * i32 × K × D: the constraint's attribute on each device, as a set of element ids (a scalar is
 * a set of one): the number of elements, or 0 = absent, -1 = a value the constraint cannot use.
 */
export const H_CONS_VALUES: i32 = 28;
/** u8 × K × S: 1 when the constraint applies to the slot. */
export const H_CONS_APPLIES: i32 = 29;
/** i32 × D: first counter (index into H_COUNTER_AVAIL) of the device's pool. */
export const H_DEV_POOL_CNT_START: i32 = 30;
/** i32 × D: end (exclusive) of the device's pool counters. */
export const H_DEV_POOL_CNT_END: i32 = 31;
/** Work region (solver-owned), bytes: see search.ts for its sub-layout. */
export const H_WORK: i32 = 32;
/** Size of the work region in bytes (host computes it with the same formula as workBytes()). */
export const H_WORK_BYTES: i32 = 33;
/** i32 × R: output, index of the chosen subrequest per request (-1 when none). */
export const H_OUT_SELSUB: i32 = 34;
/** i32 × 2 × maxPicks: output, (slot, device) per result in allocation order. */
export const H_OUT_PICKS: i32 = 35;
/** i32 × OUT_WORDS: output words, see OUT_*. */
export const H_OUT: i32 = 36;
/** Frames the search may use at most (the frame-depth rule below). */
export const H_MAX_DEPTH: i32 = 37;
/** Total number of picks the output region holds. */
export const H_MAX_PICKS: i32 = 38;
/** i32 × K × D: start of each (constraint, device) element list in H_CONS_ELEMS. */
export const H_CONS_ELEM_START: i32 = 39;
/** i32: element ids (interned typed values), sets sorted ascending. */
export const H_CONS_ELEMS: i32 = 40;
/** ACCOUNTING_*: how shared counters are accounted during the search (see counters.ts). */
export const H_ACCOUNTING: i32 = 41;
export const HEADER_WORDS: i32 = 42;

/** Upstream's ResourceSliceMaxAttributeValuesPerDevice: elements of one attribute value at most. */
export const MAX_ELEMS: i32 = 48;

export const DEV_ALLOCATED: i32 = 1; // dedicated allocation in the allocated state
export const DEV_MULTI: i32 = 2; // allowMultipleAllocations (and DRAConsumableCapacity on)
export const DEV_SHARED_BEFORE: i32 = 4; // has shares in the allocated state (its counters are consumed)
export const DEV_AGGREGATED_BEFORE: i32 = 8; // a share in the allocated state reported consumedCapacity (upstream AggregatedCapacity)

export const ST_SELECTABLE: u8 = 1; // class and request selectors match (and node, binding conditions)
export const ST_ERROR: u8 = 2; // evaluating the selectors fails: the search stops with an error here
export const ST_STATIC_OK: u8 = 4; // taints tolerated, capacity policy and partitionable gate permit
export const ST_TAINTED: u8 = 8; // capacity policy and partitionable gate permit, but an untolerated taint blocks it

/** Upstream v1.36's accounting: counters leak where allocateDevice rejects after taking them (counters.ts). */
export const ACCOUNTING_UPSTREAM: i32 = 0;
/** Counters are given back on every rejection and backtrack. */
export const ACCOUNTING_EXACT: i32 = 1;

export const MODE_EXACT: i32 = 0;
export const MODE_ALL: i32 = 1;
export const CONS_MATCH: i32 = 0;
export const CONS_DISTINCT: i32 = 1;

export const OUT_STATUS: i32 = 0; // RESULT_*
export const OUT_NPICKS: i32 = 1;
export const OUT_STEPS: i32 = 2;
export const OUT_ERR_SLOT: i32 = 3;
export const OUT_ERR_DEV: i32 = 4;
export const OUT_ERR_CONS: i32 = 5;
export const OUT_WORDS: i32 = 8;

export const RESULT_UNSAT: i32 = 0;
export const RESULT_OK: i32 = 1;
export const RESULT_MAXSIZE: i32 = 2; // "allocation max size exceeded" reached the top
export const RESULT_CEL_ERROR: i32 = 3; // at (slot, device)
export const RESULT_CONSTRAINT_ALL: i32 = 4; // an All slot's device breaks a constraint (slot, device)
export const RESULT_UNSUPPORTED_VALUE: i32 = 5; // distinctAttribute on an unsupported value (slot, device, cons)
export const RESULT_DEPTH: i32 = 7; // frame stack too small: a host bug
export const RESULT_PAUSED: i32 = 8; // `run` used up its slice of steps; call it again to go on

/** Upstream's AllocationResultsMaxSize: devices per claim. */
export const MAX_RESULTS_PER_CLAIM: i32 = 32;

// The frame-depth rule. Every frame of search.ts is one allocateOne invocation; a search of C
// claims never holds more than
//   FRAMES_BASE + Σ claims (FRAMES_PER_CLAIM + Σ its requests (FRAMES_PER_REQUEST + n))
// frames at once, n being the most devices a slot of the request needs, at most
// MAX_RESULTS_PER_CLAIM: the root frame and the one past the last claim; per claim the frame
// that starts it; per request its subrequest loop, the frame that ends it and one spare; one per
// device taken. The host writes that sum to H_MAX_DEPTH and sizes the frame stack with it
// (state.ts workBytes); a search that would go deeper stops with RESULT_DEPTH, a host bug.
export const FRAMES_BASE: i32 = 2;
export const FRAMES_PER_CLAIM: i32 = 1;
export const FRAMES_PER_REQUEST: i32 = 3;

// ---- The placement kernel (placement.ts): runs of Pods placed over resident cluster state. ----
//
// A run descriptor is RUN_WORDS i32 words at an address the host passes to `placeRun`. Words
// marked "address" hold absolute addresses of resident regions (kept in the arena, see
// src/schedule/placement/resident.ts); "out" words are written by the kernel.
/** Nodes of the cluster (> 0): the kernel's node indices are the scheduler's. */
export const R_NNODES: i32 = 0;
/** In: the rotating start (kube-scheduler's nextStartNodeIndex); out: where it stands after the Pods placed. */
export const R_START: i32 = 1;
/** numFeasibleNodesToFind: feasible nodes to find before taking the best. */
export const R_WANTED: i32 = 2;
/** Pods in the run. */
export const R_NPODS: i32 = 3;
/** Out: Pods placed, a prefix of the run. */
export const R_DONE: i32 = 4;
/** Out: STOP_* — why the kernel stopped at Pod R_DONE (STOP_END: it placed them all). */
export const R_STOP: i32 = 5;
/** Step budget of one search: a search that needs more goes back to the host (its budgets and yields). */
export const R_SLICE: i32 = 6;
/** Address: i32 × pods, each Pod's shape table (SH_*). */
export const R_PODS: i32 = 7;
/** Address: the output records, R_REC_STRIDE words per Pod (REC_*). */
export const R_OUT: i32 = 8;
export const R_REC_STRIDE: i32 = 9;
/** Address: u8 per inventory slot, the allocated state's flags (RF_*), updated by commits. */
export const R_FLAGS: i32 = 10;
/** Address: i64 per global counter, what is left of it (milli), updated by commits. */
export const R_AVAIL: i32 = 11;
/** Address: i32 × (nodes+1), where each node's devices start in R_SLOTS. */
export const R_NODE_SLOTS: i32 = 12;
/** Address: i32, every node's devices (inventory slots) in search order. */
export const R_SLOTS: i32 = 13;
/** Address: i32 × (nodes+1), where each node's counter map starts in R_CNT_MAP. */
export const R_NODE_CNT: i32 = 14;
/** Address: i32, the global counter of each counter of a node view (in the view's order). */
export const R_CNT_MAP: i32 = 15;
/** Address: i32 × (slots+1), where each inventory slot's counter consumption starts in R_USE_CNT/R_USE_AMT. */
export const R_USE_START: i32 = 16;
/** Address: i32, global counter of each consumption. */
export const R_USE_CNT: i32 = 17;
/** Address: i64, amount (milli) of each consumption. */
export const R_USE_AMT: i32 = 18;
/** RF_* bits that make a device held by others (heldByOthers: RF_SHARED too without DRAConsumableCapacity). */
export const R_HELD_MASK: i32 = 19;
/** ACCOUNTING_* of the searches. */
export const R_ACCOUNTING: i32 = 20;
/** Out: solver steps of every search of the run (the Pods placed and the one it stopped at). */
export const R_STEPS: i32 = 21;
/** STRATEGY_*: the node order. */
export const R_STRATEGY: i32 = 22;
/** Address: i32 × R_NSHAPES, the distinct shape tables of the run (pack re-ranks a committed node in each). */
export const R_SHAPES: i32 = 23;
export const R_NSHAPES: i32 = 24;
/** Address: u8 × nodes, 1 when allocating on the node changes no other node's free devices (pack). */
export const R_NODE_LOCAL: i32 = 25;
/** Node visits after which the run pauses (after the Pod that reached it): bounds the time between two returns to the host. */
export const R_VISITS: i32 = 26;
/**
 * Address: i32 × (slots+1), where each inventory slot's shareable capacities start in R_CAP_LEFT:
 * a multi-allocatable device (DRAConsumableCapacity) has one per capacity, in the order of its
 * `capacity` map (compile/problem.ts lists a problem's per device in that order), others none.
 */
export const R_CAP_START: i32 = 27;
/** Address: i64 per shareable capacity, what its shares left of it (milli), updated by commits. */
export const R_CAP_LEFT: i32 = 28;
/**
 * Out (pack): 1 when the orders of the run's shape tables are current after its commits (each
 * committed node was re-ranked in each of them), 0 when some commit could not be.
 */
export const R_RANKED: i32 = 29;
export const RUN_WORDS: i32 = 30;

/** The upstream strategy: nodes from the rotating start. */
export const STRATEGY_UPSTREAM: i32 = 0;
/** The pack strategy: nodes by ascending free devices for the Pod's requests (SH_KEYS), ties by index. */
export const STRATEGY_PACK: i32 = 1;

/** Upstream's bound on firstAvailable subrequests: a request on its first choice scores this much (the DRA score). */
export const FIRST_AVAILABLE_MAX: i32 = 8;

/** Allocated-state flags (model/allocated.ts FLAG_*): a dedicated allocation, shares. */
export const RF_DEDICATED: i32 = 1;
export const RF_SHARED: i32 = 2;
/** A share reported consumedCapacity (FLAG_AGGREGATED: upstream's AggregatedCapacity has the device). */
export const RF_AGGREGATED: i32 = 4;

/** Stop reasons (R_STOP). */
export const STOP_END: i32 = 0; // every Pod of the run placed
export const STOP_UNPLACED: i32 = 1; // no node fits the Pod: the host decides it (its message)
export const STOP_HOST: i32 = 2; // a node needs the host (no resident problem, a search error or over its slice)
export const STOP_PAUSED: i32 = 3; // R_VISITS reached: the Pods from R_DONE on go to the next run

// A shape table: the Pods of one pod shape (claim specs and node-affecting Pod spec) share it.
export const SH_MAX_SCORE: i32 = 0; // the highest DRA score a node can give
/** Pack: address of f64 × nodes, Σ over the shape's requests of the node's free devices for the request's first slot. */
export const SH_KEYS: i32 = 1;
/** Pack: address of i32 × nodes, the nodes by ascending key, ties by index. */
export const SH_ORDER: i32 = 2;
/** Pack: address of i32 × nodes, each node's position in SH_ORDER. */
export const SH_POS: i32 = 3;
/** Address of i32 × nodes: the problem block of the shape's claims on the node whatever the node checks say (0: none). */
export const SH_ALL_BLOCKS: i32 = 4;
/**
 * Address of u8 × nodes: the summary check's verdict on the node (ADMIT_*), kept until a commit
 * changes the node's devices (the host clears it at the start of a run).
 */
export const SH_ADMIT: i32 = 5;
/** Then i32 × nodes: the problem block of the shape's claims on the node, SH_REJECTED, or SH_HOST. */
export const SH_BLOCKS: i32 = 6;
export const ADMIT_UNKNOWN: i32 = 0;
export const ADMIT_NO: i32 = 1; // some request has no alternative with enough free devices (schedule/summary.ts)
export const ADMIT_YES: i32 = 2;
export const SH_REJECTED: i32 = -1; // the node's checks (nodeRejects) reject the Pod
export const SH_HOST: i32 = 0; // only the host can try the Pod on the node

// An output record (R_REC_STRIDE words): these words, then the chosen subrequest of each
// request (REC_NREQ words), then (slot, device) per pick (2 × REC_NPICKS words).
export const REC_NODE: i32 = 0;
export const REC_EXAMINED: i32 = 1; // nodes examined, as decide counts them
export const REC_SEARCHES: i32 = 2; // searches run for the Pod
export const REC_NREQ: i32 = 3;
export const REC_NPICKS: i32 = 4;
export const REC_REJECTED: i32 = 5; // nodes the summary check ruled out
export const REC_WORDS: i32 = 6;
