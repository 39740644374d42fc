#!/usr/bin/env node
/**
 * The `dralloc` command line: dispatches to the commands in commands.ts, loading only the one
 * that runs (this module imports nothing heavy). Exit codes: 0 ok, 1 unsatisfiable (or findings), 2 error; errors print `error: <message>`.
 */

import { pathToFileURL } from 'node:url';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { COMMANDS } from './commands.js';
import { UsageError } from './command.js';
import { processIO, type CliIO } from './io.js';
import { InputError } from '../model/errors.js';
import { FeatureGateError } from '../features.js';

const GATES = `Feature gates (--feature-gates K=V,...; Kubernetes names, v1.36 defaults): DRAAdminAccess=true,
  DRAPrioritizedList=true, DRADeviceTaints=true, DRAPartitionableDevices=true,
  DRAConsumableCapacity=true, DRADeviceBindingConditions=true, DRAResourceClaimDeviceStatus=true,
  DRAExtendedResource=true, DRAListTypeAttributes=false.`;

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: dralloc <command> [flags]   (dralloc help <command> for details; dralloc --version)\n\nCommands:\n${lines.join('\n')}\n\n${GATES}\n`;
}

/** The package's name and version, from the package.json above build/js/cli (or src/cli when run from source). */
function version(): string {
  const up = existsSync(new URL('../../package.json', import.meta.url)) ? '../../' : '../../../';
  const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}\n`;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === 'version') {
    io.stdout(version());
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout(topic ? `Usage: ${(await topic.load()).usage}\n` : overview());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`error: unknown command "${name}"\n\n${overview()}`);
    return 2;
  }
  const command = await entry.load();
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
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`error: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
