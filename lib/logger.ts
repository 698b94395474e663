/**
 * Logging and a command's output, under one rule: a terminal gets lines for people,
 * anything else (journald, a pipe, a file) one JSON object per line (pino) on stdout.
 * Credentials are redacted by path wherever they can appear: headers, URLs with userinfo
 * are never logged (callers log the scrubbed form).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** `human`: plain lines for a person at a terminal; `json`: one JSON record per line. */
export type OutputFormat = 'human' | 'json';

export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  '*.headers.authorization',
  'password',
  '*.password',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  'access_token',
  '*.access_token',
  'token',
  '*.token',
];

/** The rule, decided once per process by where its standard output goes. */
export function outputFormatOf(stdout: { isTTY?: boolean } = process.stdout): OutputFormat {
  return stdout.isTTY ? 'human' : 'json';
}

export function createLogger(
  options: { level?: string; name?: string; format?: OutputFormat } = {},
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name ?? 'stats2',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? (options.format === 'human' ? humanLines(process.stderr) : undefined),
  );
}

/** Replaces the userinfo of a URL (http://user:pw@host) so it can be logged. */
export function scrubUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

/** What a command tells its user, in the process's output format. */
export interface Output {
  format: OutputFormat;
  /**
   * One line of the command's result: as it is on a terminal, else an info record with
   * `fields` (written whatever LOG_LEVEL says: it is the command's output, not a log).
   */
  say(text: string, fields?: Record<string, unknown>): void;
  /** Why the command failed: on stderr at a terminal, else an error record. */
  fail(text: string, fields?: Record<string, unknown>): void;
}

export function createOutput(format: OutputFormat, logger: Logger): Output {
  if (format === 'human') {
    return {
      format,
      say: (text) => process.stdout.write(`${text}\n`),
      fail: (text) => process.stderr.write(`${text}\n`),
    };
  }
  const records = logger.child({}, { level: 'info' });
  return {
    format,
    say: (text, fields = {}) => records.info(fields, text),
    fail: (text, fields = {}) => records.error(fields, text),
  };
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const ENVELOPE = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err']);

/** A pino destination that writes each record as one readable line: `warn: message (key=value, …)`. */
export function humanLines(stream: NodeJS.WritableStream): pino.DestinationStream {
  return {
    write(line: string) {
      stream.write(`${formatRecord(JSON.parse(line) as Record<string, unknown>)}\n`);
    },
  };
}

export function formatRecord(record: Record<string, unknown>): string {
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const message = String(record.msg ?? '');
  const err = record.err as { message?: string } | undefined;
  const details = Object.entries(record)
    .filter(([key]) => !ENVELOPE.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const cause = err?.message && !message.includes(err.message) ? `: ${err.message}` : '';
  return `${level}: ${message}${cause}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
