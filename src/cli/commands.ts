/** Every `dralloc` command, in the order `dralloc help` lists them. Adding a command = one import and one line. */

import type { Command } from './command.js';
import { allocateCommand } from './allocate.js';
import { genCommand } from './gen.js';
import { scheduleCommand } from './schedule.js';
import { explainCommand } from './explain.js';
import { lintCommand } from './lint.js';
import { snapshotCommand } from './snapshot.js';
import { schedulerCommand } from './scheduler.js';
import { evictionsCommand } from './evictions.js';
import { healthCommand } from './health.js';
import { reportCommand } from './report.js';

export const COMMANDS: readonly Command[] = [
  allocateCommand,
  scheduleCommand,
  reportCommand,
  explainCommand,
  lintCommand,
  genCommand,
  snapshotCommand,
  schedulerCommand,
  evictionsCommand,
  healthCommand,
];
