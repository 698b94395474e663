/**
 * The child's side of a WorkerProcess: answers each question of the parent with its
 * handler's value (or error message) and the process's peak RSS so far; `exit` ends it.
 */
import { errorMessage } from '../../lib/errors.js';

export type QuestionHandlers = Record<string, (input: never) => Promise<unknown>>;

interface Question {
  id: number;
  question: string;
  input: unknown;
}

/** Peak resident set size of this process, in MB (Linux reports maxRSS in KB). */
export function maxRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export function answerParent(
  handlers: QuestionHandlers,
  onExit: () => Promise<void> = async () => {},
): void {
  process.on('message', (message: Question) => {
    if (message.question === 'exit') {
      onExit().finally(() => process.exit(0));
      return;
    }
    const handler = handlers[message.question];
    const work = handler
      ? handler(message.input as never)
      : Promise.reject(new Error(`unknown question ${message.question}`));
    work.then(
      (value) => process.send?.({ id: message.id, value, maxRssMb: maxRssMb() }),
      (err: unknown) =>
        process.send?.({
          id: message.id,
          error: err instanceof Error ? (err.stack ?? err.message) : errorMessage(err),
          maxRssMb: maxRssMb(),
        }),
    );
  });
}
