import type { LumiList } from './documents.js';

/** The fields that decide lumis mode; stored documents of older versions may hold null. */
export interface LumisModeFields {
  RequestType?: string | null;
  LumiList?: LumiList | null;
  TotalInputLumis?: number | null;
}

const LUMIS_MODE_TYPES = new Set(['rereco', 'resubmission']);

/**
 * A workflow that also tracks lumisections (docs/event-history.md#lumis-mode): a ReReco or
 * Resubmission (any case) with a non-empty LumiList and more than 0 TotalInputLumis.
 */
export function isLumisMode(workflow: LumisModeFields): boolean {
  return (
    LUMIS_MODE_TYPES.has(workflow.RequestType?.toLowerCase() ?? '') &&
    Object.keys(workflow.LumiList ?? {}).length > 0 &&
    (workflow.TotalInputLumis ?? 0) > 0
  );
}
