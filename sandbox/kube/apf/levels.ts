import type { FlowControlObject, PriorityLevelConfiguration, QueuingConfiguration } from './objects.ts';

/**
 * The seats of each priority level, as kube-apiserver's APF controller derives them
 * (apf_controller.go finishQueueSetReconfigsLocked): the server's concurrency limit (ServerCL: the
 * sum of --max-requests-inflight and --max-mutating-requests-inflight) divided among every level in
 * proportion to its nominalConcurrencyShares, NominalCL = ceil(ServerCL × shares / Σ shares). A
 * level added by a manifest takes its seats from every other level.
 *
 * Borrowing is not modelled: a level runs on its NominalCL. kube-apiserver moves seats every 10 s
 * (borrowingAdjustmentPeriod) from levels whose smoothed demand leaves lendable seats idle
 * (LendableCL = round(NominalCL × lendablePercent / 100)) to busy ones (up to BorrowingCL =
 * round(NominalCL × borrowingLimitPercent / 100), no limit without it). Both are computed here for
 * the reader, not applied.
 */

export interface LevelSettings {
  name: string;
  /** Requests run at once, without seats or queues. */
  exempt: boolean;
  /** NominalCL: the seats the level's requests may hold at once. */
  concurrency: number;
  /** How requests wait for seats; absent: a request that finds no seat is rejected at once (limitResponse Reject). */
  queuing?: QueuingConfiguration;
  /** The work estimator's cap on one request's seats at this level. */
  maxSeats: number;
  /** LendableCL and BorrowingCL (undefined: no limit), for reports: borrowing is not modelled. */
  lendableSeats: number;
  borrowableSeats: number | undefined;
}

/** What a scenario or test may override on `global-default`, the level an IAM identity lands in by default. */
export interface GlobalDefaultOverrides {
  concurrency?: number | undefined;
  queues?: number | undefined;
  handSize?: number | undefined;
  queueLengthLimit?: number | undefined;
  maxSeats?: number | undefined;
}

/** NominalCL(i) = ceil(ServerCL × NCS(i) / Σ NCS). */
export function nominalConcurrencyOf(shares: number, shareSum: number, serverConcurrency: number): number {
  return Math.ceil((serverConcurrency * shares) / shareSum);
}

/** The work estimator's cap on one request's seats: min(0.15 × NominalCL, NominalCL / handSize), at most 10, at least 1. */
export function maxSeatsFor(concurrency: number, handSize: number): number {
  return Math.max(1, Math.min(10, Math.floor(Math.min(0.15 * concurrency, concurrency / handSize))));
}

const sharesOf = (level: PriorityLevelConfiguration): number => (level.spec.limited ?? level.spec.exempt)?.nominalConcurrencyShares ?? 0;

/** Every level of `objects` with its seats; `overrides` replace global-default's own figures. */
export function planLevels(objects: readonly FlowControlObject[], serverConcurrency: number, overrides: GlobalDefaultOverrides = {}): Map<string, LevelSettings> {
  const configurations = objects.filter((o): o is PriorityLevelConfiguration => o.kind === 'PriorityLevelConfiguration');
  const shareSum = configurations.reduce((sum, level) => sum + sharesOf(level), 0);
  const levels = new Map<string, LevelSettings>();
  for (const configuration of configurations) {
    const name = configuration.metadata.name;
    const limited = configuration.spec.limited;
    const nominal = nominalConcurrencyOf(sharesOf(configuration), shareSum, serverConcurrency);
    const lendablePercent = (limited ?? configuration.spec.exempt)?.lendablePercent ?? 0;
    const borrowingLimitPercent = limited?.borrowingLimitPercent;
    let concurrency = nominal;
    let queuing = limited?.limitResponse.queuing;
    if (name === 'global-default') {
      concurrency = overrides.concurrency ?? nominal;
      if (queuing) {
        queuing = { queues: overrides.queues ?? queuing.queues, handSize: overrides.handSize ?? queuing.handSize, queueLengthLimit: overrides.queueLengthLimit ?? queuing.queueLengthLimit };
      }
    }
    // A level that rejects has no hand: kube-apiserver leaves it the work estimator's own cap of 10.
    const estimated = queuing ? maxSeatsFor(concurrency, queuing.handSize) : Math.max(1, Math.min(10, concurrency));
    levels.set(name, {
      name,
      exempt: configuration.spec.type === 'Exempt',
      concurrency,
      ...(queuing ? { queuing } : {}),
      maxSeats: name === 'global-default' && overrides.maxSeats !== undefined ? overrides.maxSeats : estimated,
      lendableSeats: Math.round((concurrency * lendablePercent) / 100),
      borrowableSeats: borrowingLimitPercent === undefined ? undefined : Math.round((concurrency * borrowingLimitPercent) / 100),
    });
  }
  return levels;
}
