/**
 * An entry point's ending: the exit status its `main` resolves to, or 1 after printing
 * what it threw. Sets `process.exitCode` rather than exiting, so output still flushes.
 */
export function exitWithStatusOf(main: Promise<number>): void {
  main.then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
