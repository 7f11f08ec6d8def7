/**
 * An AWS API error as the in-memory services raise it: `name` is the API error code
 * (ThrottlingException, InvalidTarget, ...). The SDK clients see it as-is; the state machine runner
 * renames it the way Step Functions reports SDK integration errors (`Emr.ThrottlingException`).
 */
export class ServiceError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

export type ServiceName = 'emr' | 'elbv2' | 'ec2' | 'dynamodb' | 'events';

/**
 * Who makes the call: the state machine's own Task states, the plan Lambda, the scheduled probe
 * Lambda, the confirm Lambda (the state machine's probe step) or the steps Lambda.
 */
export type Caller = 'stateMachine' | 'planner' | 'probe' | 'confirm' | 'steps';

/** Whom a fault rule aims at: `probe` is both probes, the scheduled one and the confirm step. */
export type FaultCaller = Exclude<Caller, 'confirm'>;
const aimedAt = (caller: Caller): FaultCaller => (caller === 'confirm' ? 'probe' : caller);

/** One call as the world saw it: the order of calls is what the tests assert. */
export interface CallRecord {
  /** Simulated seconds since the scenario started. */
  t: number;
  service: ServiceName;
  action: string;
  caller: Caller;
  input: unknown;
  error?: string;
}

/** Tags of the resources a call addresses, by resource id, as the emulator holds them. */
export type ResourceTags = Record<string, Record<string, string>>;

/**
 * Injected failures: the first `times` matching calls of `action` fail with `error` (default
 * throttling). A rule can be aimed at one caller and at a window of simulated seconds.
 */
export interface FaultRule {
  service: ServiceName;
  action: string;
  times: number;
  error?: string | undefined;
  caller?: FaultCaller | undefined;
  /** Simulated seconds: the rule applies to calls made at or after `from` ... */
  from?: number | undefined;
  /** ... and before `until`. */
  until?: number | undefined;
}

export class CallLog {
  readonly calls: CallRecord[] = [];
  private readonly remaining: Array<FaultRule & { left: number }>;

  constructor(
    private readonly elapsedSeconds: () => number,
    faults: FaultRule[] = [],
    /** Sees every call as it is made, with the tags of what it addresses (the IAM recording). */
    private readonly onCall?: (record: CallRecord, tags: ResourceTags | undefined) => void,
  ) {
    this.remaining = faults.map((f) => ({ ...f, left: f.times }));
  }

  /** Records the call, then throws an injected fault if one is due. */
  enter(service: ServiceName, action: string, input: unknown, caller: Caller = 'stateMachine', tags?: ResourceTags): void {
    const t = this.elapsedSeconds();
    const record: CallRecord = { t, service, action, caller, input: structuredClone(input) };
    this.calls.push(record);
    this.onCall?.(record, tags);
    const fault = this.remaining.find(
      (f) =>
        f.service === service &&
        f.action === action &&
        f.left > 0 &&
        (f.caller === undefined || f.caller === aimedAt(caller)) &&
        (f.from === undefined || t >= f.from) &&
        (f.until === undefined || t < f.until),
    );
    if (fault) {
      fault.left--;
      record.error = fault.error ?? 'ThrottlingException';
      throw new ServiceError(record.error, `injected fault: ${service}:${action} (${fault.times - fault.left} of ${fault.times})`);
    }
  }

  fail(error: ServiceError): never {
    const last = this.calls.at(-1);
    if (last) last.error = error.name;
    throw error;
  }
}
