import { LifeguardError } from '../util/errors.ts';
/**
 * Every supported EventBridge event is parsed into one Notice: which instances, what kind, when.
 * All times are epoch milliseconds.
 */
export type NoticeKind =
  | 'spot-interruption'
  | 'rebalance-recommendation'
  | 'scheduled-change'
  | 'state-change'
  | 'asg-lifecycle';

interface NoticeBase {
  kind: NoticeKind;
  /** EventBridge event id: the idempotency key recorded on the node. */
  eventId: string;
  source: string;
  detailType: string;
  account: string;
  region: string;
  /** `time` of the event. */
  eventTime: number;
  instanceIds: string[];
  /** When the instance goes away; null when the event promises nothing. */
  deadline: number | null;
}

export interface SpotInterruptionNotice extends NoticeBase {
  kind: 'spot-interruption';
  action: 'terminate' | 'stop' | 'hibernate';
}

export interface RebalanceNotice extends NoticeBase {
  kind: 'rebalance-recommendation';
}

export interface ScheduledChangeNotice extends NoticeBase {
  kind: 'scheduled-change';
  eventArn: string;
  eventTypeCode: string;
  /** reboot/maintenance: the node comes back; retirement/stop/termination: it does not (parsers/health-event-types.ts). */
  change: 'reboot' | 'retirement';
  /** The code is in no table Lifeguard knows: `change` is the safe default (retirement), and the handler reports it loudly. */
  unknownEventType?: true;
  /** Health's statusCode: `closed` means done or cancelled. */
  status: 'upcoming' | 'open' | 'closed';
  startTime: number;
  endTime: number | null;
}

export interface StateChangeNotice extends NoticeBase {
  kind: 'state-change';
  state: 'stopping' | 'shutting-down' | 'stopped' | 'terminated';
}

export interface LifecycleNotice extends NoticeBase {
  kind: 'asg-lifecycle';
  autoScalingGroupName: string;
  lifecycleHookName: string;
  lifecycleActionToken: string;
}

export type Notice =
  | SpotInterruptionNotice
  | RebalanceNotice
  | ScheduledChangeNotice
  | StateChangeNotice
  | LifecycleNotice;

/**
 * Thrown for any event Lifeguard cannot act on; `field` names what is wrong, and the message
 * starts with it (`detail.instance-id: expected …`). Never retried.
 */
export class InvalidEventError extends LifeguardError {
  constructor(
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** What is wrong without the field it names: for a caller that puts the field in a longer path. */
  get problem(): string {
    const prefix = this.field ? `${this.field}: ` : '';
    return prefix && this.message.startsWith(prefix) ? this.message.slice(prefix.length) : this.message;
  }
}
