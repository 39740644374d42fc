/**
 * `dralloc report` and `dralloc schedule --report`: the HTML report of a schedule run —
 * buildReport (model.ts, the data) then renderHtml (html.ts, the page).
 */

import { writeFile } from 'node:fs/promises';
import type { Engine } from '../engine.js';
import type { ScheduleResult } from '../schedule/scheduler.js';
import { InputError } from '../model/errors.js';
import { buildReport, type ReportOptions } from './model.js';
import { renderHtml } from './html.js';

export { buildReport, DEVICE_STATE, type ReportModel, type NodeReport, type Fill, type ReportOptions } from './model.js';
export { renderHtml } from './html.js';

/**
 * Writes the report of a finished run (the engine holds the run's allocations) to `path`;
 * returns the page's size in bytes. An unwritable path is an InputError naming the flag.
 */
export async function writeReport(path: string, flag: string, engine: Engine, result: ScheduleResult, opts: ReportOptions): Promise<number> {
  const html = renderHtml(buildReport(engine, result, opts));
  try {
    await writeFile(path, html);
  } catch (e) {
    throw new InputError(`${flag} ${path}: ${(e as Error).message}`);
  }
  return Buffer.byteLength(html);
}
