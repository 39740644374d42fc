#!/usr/bin/env node
/**
 * The `dralloc` command line: dispatches to the commands in registry.ts, loading only the one
 * that runs (this module imports nothing heavy).
 * Exit codes: 0 ok, 1 unsatisfiable (or findings), 2 error; errors print `error: <message>`.
 */

import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { COMMANDS } from './registry.js';
import { UsageError } from './command.js';
import { processIO, type CliIO } from './io.js';
import { packageVersion } from './version.js';
import { InputError } from '../model/errors.js';
import { FeatureGateError } from '../features.js';

const GATES = `Feature gates (--feature-gates K=V,...; Kubernetes names, v1.36 defaults): DRAAdminAccess=true,
  DRAPrioritizedList=true, DRADeviceTaints=true, DRAPartitionableDevices=true,
  DRAConsumableCapacity=true, DRADeviceBindingConditions=true, DRAResourceClaimDeviceStatus=true,
  DRAExtendedResource=true, DRAListTypeAttributes=false.`;

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: dralloc <command> [flags]\n       dralloc help <command>, dralloc <command> --help   its flags and exit codes\n       dralloc --version\n\nCommands:\n${lines.join('\n')}\n\n${GATES}\n`;
}

/** Asking for help is `--help` or `-h` anywhere in a command's flags (no command takes it as a value). */
function wantsHelp(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

function commandNames(): string {
  return COMMANDS.map((c) => c.name).join(', ');
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.stdout(`dralloc ${packageVersion()}\n`);
    return 0;
  }
  if (name === 'help') {
    if (rest[0] === undefined) {
      io.stdout(overview());
      return 0;
    }
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    if (!topic) {
      io.stderr(`error: unknown command "${rest[0]}" (commands: ${commandNames()})\n`);
      return 2;
    }
    io.stdout(`Usage: ${(await topic.load()).usage}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`error: unknown command "${name}" (commands: ${commandNames()}; dralloc help lists them)\n`);
    return 2;
  }
  const command = await entry.load();
  if (wantsHelp(rest)) {
    io.stdout(`Usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`error: ${e.message}\n\nUsage: ${command.usage}\n`);
      return 2;
    }
    if (e instanceof InputError || e instanceof FeatureGateError) {
      io.stderr(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

// Run when executed as a program (also through the npm bin symlink).
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(exitWhenWritten, (e: unknown) => {
    process.stderr.write(`error: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    exitWhenWritten(2);
  });
}

/**
 * Ends the process with `code` once stdout and stderr have taken all that was written to them.
 * A command has finished its work when it returns, so nothing is lost; and an explicit exit
 * skips tearing down the heap, which after a large schedule (hundreds of MB) costs ~0.1–0.3 s.
 */
function exitWhenWritten(code: number): void {
  process.exitCode = code;
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0 && !s.destroyed);
  const written = (s: NodeJS.WriteStream) => new Promise((resolve) => ['drain', 'error', 'close'].forEach((event) => s.once(event, resolve)));
  void Promise.all(pending.map(written)).then(() => process.exit(code));
}
