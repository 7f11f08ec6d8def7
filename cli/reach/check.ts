import { systemClock } from '../../lib/util/clock.ts';
import type { CliContext } from '../context.ts';
import { ensureReachable, UnreachableError, type ReachTarget } from './probe.ts';

/**
 * The probe as a command uses it: undefined when the target answers, else the sentence to print
 * (and exit UNREACHABLE_EXIT with). Any other failure is not the network's: it propagates.
 */
export async function unreachable(target: ReachTarget, ctx: CliContext): Promise<string | undefined> {
  try {
    await ensureReachable(target, { clock: ctx.clock ?? systemClock, ...(ctx.connect ? { connect: ctx.connect } : {}) });
    return undefined;
  } catch (err) {
    if (err instanceof UnreachableError) return err.message;
    throw err;
  }
}
