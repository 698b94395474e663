/**
 * Benchmarks whose memory is measured run in a child process: this is the parent's side.
 * A worker is a compiled module of bench/ that answers questions from its parent
 * (see worker-side.ts); every answer carries the child's peak RSS so far.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export interface WorkerOptions {
  /** Label of the worker in messages and in its CPU profile's file name. */
  label: string;
  /** Write a V8 CPU profile of the worker into this folder. */
  profileDir?: string;
  /** Node flags, e.g. those the product runs with (deployed-node-flags.ts). */
  nodeFlags?: readonly string[];
  /** Environment variables besides PATH, e.g. those the product's unit sets. */
  env?: Record<string, string>;
}

export interface WorkerAnswer<T> {
  value: T;
  /** Peak resident set size of the worker so far, in MB. */
  maxRssMb: number;
}

interface Reply {
  id: number;
  value?: unknown;
  error?: string;
  maxRssMb: number;
}

export class WorkerProcess {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (reply: Reply) => void; reject: (err: Error) => void }
  >();
  private exitError: Error | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    child.on('message', (message: Reply) => {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      waiter?.resolve(message);
    });
    child.once('exit', (code, signal) => {
      this.exitError = new Error(`worker ${label} exited (${signal ?? code})`);
      for (const waiter of this.waiting.values()) waiter.reject(this.exitError);
      this.waiting.clear();
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean))
        process.stderr.write(`[${label}] ${line}\n`);
    });
  }

  /** Starts `bench/<script>` (relative to the compiled bench folder). */
  static start(script: string, options: WorkerOptions): WorkerProcess {
    const execArgv = [
      ...(options.nodeFlags ?? []),
      ...(options.profileDir
        ? [
            '--cpu-prof',
            '--cpu-prof-dir',
            options.profileDir,
            '--cpu-prof-name',
            `${options.label}.cpuprofile`,
          ]
        : []),
    ];
    const child = fork(path.join(BENCH_DIR, script), [], {
      execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: { PATH: process.env.PATH ?? '', ...options.env },
    });
    return new WorkerProcess(child, options.label);
  }

  async ask<T>(question: string, input?: unknown): Promise<WorkerAnswer<T>> {
    if (this.exitError) throw this.exitError;
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, question, input });
    });
    if (reply.error !== undefined)
      throw new Error(`worker ${this.label}, ${question}: ${reply.error}`);
    return { value: reply.value as T, maxRssMb: reply.maxRssMb };
  }

  /** Asks the worker to finish (so that a CPU profile gets written) and waits for its exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ id: 0, question: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Starts a worker, asks it one question, stops it. */
export async function askOnce<T>(
  script: string,
  question: string,
  input: unknown,
  options: WorkerOptions,
): Promise<WorkerAnswer<T>> {
  const worker = WorkerProcess.start(script, options);
  try {
    return await worker.ask<T>(question, input);
  } finally {
    await worker.stop();
  }
}
