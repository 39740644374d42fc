/** What a CLI command may touch of the outside world (swappable in tests). */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads all of standard input (for `-f -`). */
  readStdin(): Promise<string>;
  /**
   * Writes the pieces of one output in order, each once the previous is written (for outputs
   * of many megabytes). Optional: without it, writeOutput calls stdout() per piece.
   */
  stdoutPieces?(pieces: Iterable<string>): Promise<void>;
}

/** Writes `pieces` through io.stdoutPieces when the IO has it, else piece by piece through io.stdout. */
export async function writeOutput(io: CliIO, pieces: Iterable<string>): Promise<void> {
  if (io.stdoutPieces) return io.stdoutPieces(pieces);
  for (const p of pieces) io.stdout(p);
}

export const processIO: CliIO = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  stdoutPieces: writePieces,
};

/** Bytes of the buffer writePieces encodes into; a piece whose UTF-8 may not fit gets its own. */
const PIECE_BUFFER_BYTES = 4 << 20;
let pieceBuffer: Buffer | undefined;
/** Set once standard output is closed by its reader (EPIPE, e.g. `| head`): the rest of the output is dropped. */
let stdoutClosed = false;

/**
 * Each piece is encoded into one reused buffer (a fresh 25 MB Buffer per output costs more in
 * page faults than the encoding) and written; the next is encoded only after the stream has
 * taken the last one (its write callback), which is also the backpressure.
 */
async function writePieces(pieces: Iterable<string>): Promise<void> {
  watchForClosedStdout();
  pieceBuffer ??= Buffer.allocUnsafeSlow(PIECE_BUFFER_BYTES);
  for (const piece of pieces) {
    if (stdoutClosed) return;
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    const bytes = piece.length * 3 <= pieceBuffer.length ? pieceBuffer.subarray(0, pieceBuffer.write(piece)) : Buffer.from(piece);
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(bytes, (err) => {
        if (isClosedPipe(err)) stdoutClosed = true;
        if (!err || stdoutClosed) resolve();
        else reject(err);
      }),
    );
  }
}

function isClosedPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

let watching = false;
/** A reader closing the pipe early is not an error of dralloc's: the output just ends there (no stack trace). */
function watchForClosedStdout(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (err) => {
    if (!isClosedPipe(err)) throw err;
    stdoutClosed = true;
  });
}
