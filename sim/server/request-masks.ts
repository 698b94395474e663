/**
 * ReqMgr2's `mask` rules (docs/upstreams.md#mask-rules, WMCore
 * `RequestInfo._maskTaskStepChain`): missing keys become null; in TaskChain/StepChain
 * requests a key found in any Task<N>/Step<N> is the list of distinct non-empty values
 * across them, and a top-level dict (other than LumiList/AgentJobInfo) is returned as the
 * list of its values.
 */

const KEPT_DICTS = new Set(['LumiList', 'AgentJobInfo']);

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function chainTasks(doc: Record<string, unknown>): Array<Record<string, unknown>> | undefined {
  const prefix = 'TaskChain' in doc ? 'Task' : 'StepChain' in doc ? 'Step' : undefined;
  if (prefix === undefined) return undefined;
  const count = Number(doc[`${prefix}Chain`]);
  const tasks: Array<Record<string, unknown>> = [];
  for (let i = 1; i <= count; i++) {
    const task = doc[`${prefix}${i}`];
    if (isDict(task)) tasks.push(task);
  }
  return tasks;
}

export function maskedValue(doc: Record<string, unknown>, key: string): unknown {
  const tasks = chainTasks(doc);
  if (tasks !== undefined) {
    if (tasks.some((task) => key in task)) {
      const seen = new Set<string>();
      const values: unknown[] = [];
      for (const task of tasks) {
        const value = task[key];
        if (isEmpty(value)) continue;
        const id = JSON.stringify(value);
        if (!seen.has(id)) {
          seen.add(id);
          values.push(value);
        }
      }
      return values;
    }
    const top = doc[key];
    if (isDict(top) && !KEPT_DICTS.has(key)) return Object.values(top);
  }
  return doc[key] ?? null;
}

export function maskDocument(
  doc: Record<string, unknown>,
  masks: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(masks.map((key) => [key, maskedValue(doc, key)]));
}
