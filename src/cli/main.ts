/**
 * `lora-lens`: the analysis pipeline without VS Code, for design reviews and CI jobs.
 * Exit codes: 0 success, 2 bad arguments or bad input file (one line on stderr), 1 internal error.
 */
import { isMainThread } from 'node:worker_threads';
import { FormatError } from '../formats/types';
import { TheoryInputError } from '../theory';
import { UsageError } from './args';
import { analyzeCommand, analyzeUsage } from './commands/analyze';
import { constructCommand, constructUsage } from './commands/construct';
import { inspectCommand } from './commands/inspect';
import { thresholdCommand, thresholdUsage } from './commands/threshold';
import { validateCommand, validateUsage } from './commands/validate';
import { processIO, type CliIO } from './io';
import { version } from '../../package.json';

type Command = (argv: string[], io: CliIO) => Promise<number>;

const inspectUsage = `Usage:
  lora-lens inspect <file-or-folder> [--json]

  A .safetensors file, a sharded index, a config.json, a PEFT adapter folder, or a folder holding one:
  architecture, layers, widths, and every module with role, shape, dtype and parameter count.
  --json  the ModelSpec summary (module names as in the checkpoint, without .weight)
`;

const commands: Record<string, { run: Command; summary: string; usage: string }> = {
  threshold: { run: thresholdCommand, usage: thresholdUsage, summary: 'required LoRA rank from width/depth (fnn) or embedding size (transformer)' },
  analyze: { run: analyzeCommand, usage: analyzeUsage, summary: 'full analysis: architecture, FNN pair, Transformer pair or PEFT adapter' },
  inspect: { run: inspectCommand, usage: inspectUsage, summary: 'architecture and every module of a checkpoint, config.json or PEFT adapter' },
  construct: { run: constructCommand, usage: constructUsage, summary: 'the paper\'s construction on your FNN pair, written as a PEFT adapter and checked on random inputs' },
  validate: { run: validateCommand, usage: validateUsage, summary: 'train random FNNs: the paper\'s construction vs gradient-descent LoRA, test MSE per rank' },
};

function help(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length));
  return [
    `lora-lens ${version}: LoRA rank design from "The Expressive Power of Low-Rank Adaptation" (Zeng & Lee, ICLR 2024)`,
    '',
    'Usage: lora-lens <command> [options]',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${commands[n].summary}`),
    '',
    'Options: --help, --version. Run `lora-lens <command> --help` for a command\'s options.',
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${version}\n`);
    return 0;
  }
  const command = commands[name];
  try {
    if (!command) throw new UsageError(`unknown command '${name}'`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.usage);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof TheoryInputError) {
      io.err(`lora-lens: ${error.message} (see lora-lens --help)\n`);
      return 2;
    }
    if (error instanceof FormatError) {
      io.err(`lora-lens: ${oneLine(error.message)}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`lora-lens: internal error: ${oneLine(message)}\n`);
    if (process.env.LORA_LENS_DEBUG && error instanceof Error) io.err(`${error.stack}\n`);
    return 1;
  }
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

// Off the main thread this bundle is a validation seed worker (engine/training/seedThreads.ts), not the CLI.
if (require.main === module && isMainThread) {
  runCli(process.argv.slice(2), processIO).then((code) => {
    process.exitCode = code;
  });
}
