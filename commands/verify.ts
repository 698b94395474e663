/**
 * `--action verify [--name NAME] [--limit N]`: the parity check of the stored workflows
 * against what ReqMgr2, DBS and WMStats say now. Prints one line per workflow with a
 * problem, then a count. Exit status: 0 all match, 1 any mismatch or anything that could
 * not be verified, 2 a usage or configuration error.
 */
import { plural } from '../lib/plural.js';
import type { WorkflowVerdict } from '../updater/verify.js';
import type { VerifySummary } from '../updater/verify-run.js';
import { openDatabases } from '../couch/open-databases.js';
import type { CommandContext } from './context.js';
import { checkUpstreamCertificate } from '../preflight/update-config.js';

export interface VerifyArguments {
  name?: string;
  limit?: number;
}

export async function runVerify(
  { config, logger, output }: CommandContext,
  args: VerifyArguments,
): Promise<number> {
  const usageProblem = checkVerifyArguments(args);
  if (usageProblem) {
    // A usage error, like the CLI's own: for the person who typed it, before anything runs.
    console.error(`${usageProblem}\nRun "node cli.js verify --help" for its flags.`);
    return 2;
  }
  checkUpstreamCertificate(config, 'verify');

  const [{ composeUpstream }, { verifyWorkflows }] = await Promise.all([
    import('../compose.js'),
    import('../updater/verify-run.js'),
  ]);
  const db = await openDatabases(config, { existing: true });
  const upstream = await composeUpstream(config, logger);
  try {
    const summary = await verifyWorkflows(
      { workflows: db.workflows, upstream },
      {
        name: args.name,
        limit: args.limit,
        onVerdict: (verdict) => {
          for (const line of verdictLines(verdict)) output.say(line, { workflow: verdict.name });
        },
      },
    );
    if (args.limit !== undefined) {
      output.say('with --limit, active workflows not stored here were not looked for');
    }
    for (const line of summaryLines(summary)) output.say(line, { summary });
    return summary.matched === summary.verified && summary.activeListFailure === undefined ? 0 : 1;
  } finally {
    await upstream.close?.();
    await db.close();
  }
}

function checkVerifyArguments(args: VerifyArguments): string | undefined {
  if (args.limit === undefined) return undefined;
  if (args.name !== undefined) return '--limit does not go with --name';
  if (!Number.isInteger(args.limit) || args.limit < 1)
    return `--limit needs a whole number of workflows, 1 or more, e.g. --limit 1000`;
  return undefined;
}

/** `mismatch NAME: …` with every problem, and `could not verify NAME: …`. */
function verdictLines(verdict: WorkflowVerdict): string[] {
  const lines: string[] = [];
  if (verdict.problems.length > 0)
    lines.push(`mismatch ${verdict.name}: ${verdict.problems.join('; ')}`);
  if (verdict.unverified !== undefined)
    lines.push(`could not verify ${verdict.name}: ${verdict.unverified}`);
  return lines;
}

function summaryLines(summary: VerifySummary): string[] {
  const lines: string[] = [];
  if (summary.activeListFailure !== undefined) {
    lines.push(
      `could not verify the history of active workflows: WMStats failed: ${summary.activeListFailure}`,
    );
  }
  const counts = [
    `${summary.matched} match`,
    plural(summary.mismatched, 'mismatch', 'mismatches'),
    `${summary.unverified} could not be verified`,
  ];
  lines.push(`${plural(summary.verified, 'workflow')} verified: ${counts.join(', ')}`);
  return lines;
}
