/**
 * JSON logs (pino) to stdout for journald. Credentials are redacted by path wherever they
 * can appear: headers, URLs with userinfo are never logged (callers log the scrubbed form).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

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

export function createLogger(
  options: { level?: string; name?: string } = {},
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
    destination,
  );
}

/** Replaces the userinfo of a URL (http://user:pw@host) so it can be logged. */
export function scrubUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}
