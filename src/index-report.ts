/**
 * `dralloc/report`: the HTML report of a schedule run — `buildReport` (the data: per node and
 * device what is allocated, shared, free or blocked; counters, utilisation, unschedulable Pods),
 * `renderHtml` (one self-contained page) and `writeReport`.
 */

export { buildReport, renderHtml, writeReport, DEVICE_STATE, type ReportModel, type NodeReport, type Fill, type ReportOptions } from './report/index.js';
