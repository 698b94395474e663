/** One preflight check's answer: what was checked, how it went, and what to do about it. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  message: string;
  /** What a person should do; set for `warn` and `fail`. */
  fix?: string;
}

export const ok = (name: string, message: string): CheckResult => ({ name, status: 'ok', message });
export const warn = (name: string, message: string, fix: string): CheckResult => ({
  name,
  status: 'warn',
  message,
  fix,
});
export const fail = (name: string, message: string, fix: string): CheckResult => ({
  name,
  status: 'fail',
  message,
  fix,
});

const LABELS: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export function formatCheck(result: CheckResult): string {
  return `${LABELS[result.status]} ${result.name}: ${result.message}${result.fix ? ` — ${result.fix}` : ''}`;
}
