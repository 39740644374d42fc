/** Every `dralloc` command, in the order `dralloc help` lists them. Adding a command = one line here. */

import type { Command } from './command.js';
import { allocateCommand } from './allocate.js';

export const COMMANDS: readonly Command[] = [allocateCommand];
