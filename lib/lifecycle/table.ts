import { LifeguardError } from '../util/errors.ts';

/**
 * What Lifeguard has done to the node.
 * - idle: nothing (never touched, or everything it did was reverted);
 * - cordoned: tainted (and cordoned, unless the policy is `taint`), no eviction;
 * - draining: a drain runs or was handed over to a later invocation;
 * - drained: every pod that had to go is gone.
 */
export const PHASES = ['idle', 'cordoned', 'draining', 'drained'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * What moves a node (next-step.ts tells which one a delivery is):
 * - `event:<ask>`: an AWS event, as its policy reads it (lib/interruption/policy.ts): `none`
 *   (ignored), `schedule` (a Health change days ahead), `cordon` (taint, or taint and cordon, no
 *   eviction: a rebalance recommendation by default), `drain` (a Spot warning by default), `cancel`
 *   (a Health change closed; the node is not worked on for it), `cancel-own` (closed, and the
 *   node's current work is for it);
 * - `event:seen`: an event already handled on this node (a copy, a late redelivery);
 * - `again:<ask>`: the node's current event once more (a retry after a failed attempt);
 * - a continuation (lib/lifecycle/continuation.ts), `<type>:<what it finds>`; `stale` when its
 *   event is no longer the node's (a newer notice took the node over);
 * - `drain:<end>`: this invocation's drain ended: `done`, `out-of-time` (the invocation's time is
 *   up) or `taken-over` (a more urgent notice took the node's lease).
 */
export const INPUTS = [
  'event:none',
  'event:schedule',
  'event:cordon',
  'event:drain',
  'event:cancel',
  'event:cancel-own',
  'event:seen',
  'again:cordon',
  'again:drain',
  'scheduled-drain:early',
  'scheduled-drain:none',
  'scheduled-drain:cordon',
  'scheduled-drain:drain',
  'resume-drain:none',
  'resume-drain:cordon',
  'resume-drain:drain',
  'revert-rebalance',
  'uncordon-after-maintenance:ready',
  'uncordon-after-maintenance:not-ready',
  'uncordon-after-maintenance:timed-out',
  'stale',
  'drain:done',
  'drain:out-of-time',
  'drain:taken-over',
] as const;
export type Input = (typeof INPUTS)[number];

/**
 * What Lifeguard does (lib/interruption/instance.ts carries it out):
 * - none / duplicate / stale: nothing is written;
 * - busy: another invocation holds the node for work as urgent: the delivery is retried later;
 * - schedule: a one-time schedule delivers `scheduled-drain` when the change is near;
 * - act: taint and cordon now, and, when the phase that follows is draining, drain (`resume`:
 *   the drain was started before);
 * - cancel: the Health change is over: its schedule deleted, and with `revert` what was done for it undone;
 * - revert: Lifeguard's own taint and cordon undone;
 * - recheck: the node is not back from its maintenance: look again later;
 * - give-up: it never came back: stop looking, leave it cordoned;
 * - finish-drain / hand-over / superseded: where a drain ended is recorded (nothing for superseded);
 * - refuse: the input is not allowed in this phase (a bug or a race): the delivery fails and is retried.
 */
export const STEP_KINDS = ['none', 'duplicate', 'stale', 'busy', 'schedule', 'act', 'cancel', 'revert', 'recheck', 'give-up', 'finish-drain', 'hand-over', 'superseded', 'refuse'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/**
 * One cell of the table: the step, the phase that follows (`same`: it stays), and what happens
 * instead while another invocation holds the node's lease: `duplicate` (it is doing this very
 * work), `busy` (wait for it), `preempt` (take the node over when this notice's deadline is
 * earlier than the one it works to, else wait). Without `whileHeld` the lease does not matter.
 */
export interface Row {
  readonly step: StepKind;
  readonly then: Phase | 'same';
  readonly whileHeld?: 'duplicate' | 'busy' | 'preempt';
  /** act: the drain was started before and goes on. */
  readonly resume?: boolean;
  /** cancel: undo what was done for the change. */
  readonly revert?: boolean;
}

const same = (step: StepKind, whileHeld?: Row['whileHeld']): Row => ({ step, then: 'same', ...(whileHeld ? { whileHeld } : {}) });
const act = (then: Phase, whileHeld: NonNullable<Row['whileHeld']>): Row => ({ step: 'act', then, whileHeld });
const resume: Row = { step: 'act', then: 'draining', resume: true, whileHeld: 'duplicate' };
const revert = (whileHeld?: Row['whileHeld']): Row => ({ step: 'revert', then: 'idle', ...(whileHeld ? { whileHeld } : {}) });
const refuse = (whileHeld?: Row['whileHeld']): Row => ({ step: 'refuse', then: 'same', ...(whileHeld ? { whileHeld } : {}) });
const NONE = same('none');
const SCHEDULE = same('schedule');
const DUPLICATE = same('duplicate');
const STALE = same('stale');
const FINISH: Row = { step: 'finish-drain', then: 'drained' };
const CANCEL: Row = { step: 'cancel', then: 'same', revert: false };
const CANCEL_AND_REVERT: Row = { step: 'cancel', then: 'idle', revert: true, whileHeld: 'busy' };

/**
 * A node's whole lifecycle: for each input and phase, what Lifeguard does and the phase that
 * follows. The code runs this table (next-step.ts looks the row up, the executor writes its
 * phase): what it does not allow cannot happen.
 */
export const LIFECYCLE: Readonly<Record<Input, Readonly<Record<Phase, Row>>>> = {
  'event:none':                           { idle: NONE,                       cordoned: NONE,                       draining: NONE,                       drained: NONE },
  'event:schedule':                       { idle: SCHEDULE,                   cordoned: SCHEDULE,                   draining: SCHEDULE,                   drained: SCHEDULE },
  // A drain covers a cordon: on a draining node the notice is done with, and nothing is written (no
  // revert is scheduled: the drain owns the node, and a later revert would uncordon a drained node).
  'event:cordon':                         { idle: act('cordoned', 'preempt'), cordoned: act('cordoned', 'preempt'), draining: NONE,                       drained: act('drained', 'preempt') },
  // A stronger notice (a Spot warning after a rebalance) turns a cordon into a drain.
  'event:drain':                          { idle: act('draining', 'preempt'), cordoned: act('draining', 'preempt'), draining: act('draining', 'preempt'), drained: act('draining', 'preempt') },
  'event:cancel':                         { idle: CANCEL,                     cordoned: CANCEL,                     draining: CANCEL,                     drained: CANCEL },
  'event:cancel-own':                     { idle: CANCEL,                     cordoned: CANCEL_AND_REVERT,          draining: CANCEL_AND_REVERT,          drained: CANCEL_AND_REVERT },
  'event:seen':                           { idle: DUPLICATE,                  cordoned: DUPLICATE,                  draining: DUPLICATE,                  drained: DUPLICATE },
  // A retry after a failed or timed-out attempt resumes the drain where it stopped.
  'again:cordon':                         { idle: DUPLICATE,                  cordoned: DUPLICATE,                  draining: refuse('duplicate'),        drained: DUPLICATE },
  'again:drain':                          { idle: DUPLICATE,                  cordoned: DUPLICATE,                  draining: resume,                     drained: DUPLICATE },
  'scheduled-drain:early':                { idle: SCHEDULE,                   cordoned: SCHEDULE,                   draining: SCHEDULE,                   drained: SCHEDULE },
  'scheduled-drain:none':                 { idle: NONE,                       cordoned: NONE,                       draining: NONE,                       drained: NONE },
  'scheduled-drain:cordon':               { idle: act('cordoned', 'busy'),    cordoned: act('cordoned', 'busy'),    draining: NONE,                       drained: act('drained', 'busy') },
  'scheduled-drain:drain':                { idle: act('draining', 'busy'),    cordoned: act('draining', 'busy'),    draining: act('draining', 'busy'),    drained: act('draining', 'busy') },
  'resume-drain:none':                    { idle: STALE,                      cordoned: STALE,                      draining: same('none', 'duplicate'),  drained: STALE },
  'resume-drain:cordon':                  { idle: STALE,                      cordoned: STALE,                      draining: refuse('duplicate'),        drained: STALE },
  'resume-drain:drain':                   { idle: STALE,                      cordoned: STALE,                      draining: resume,                     drained: STALE },
  'revert-rebalance':                     { idle: STALE,                      cordoned: revert('busy'),             draining: revert('busy'),             drained: revert('busy') },
  'uncordon-after-maintenance:ready':     { idle: STALE,                      cordoned: STALE,                      draining: STALE,                      drained: revert() },
  'uncordon-after-maintenance:not-ready': { idle: STALE,                      cordoned: STALE,                      draining: STALE,                      drained: same('recheck') },
  'uncordon-after-maintenance:timed-out': { idle: STALE,                      cordoned: STALE,                      draining: STALE,                      drained: same('give-up') },
  stale:                                  { idle: STALE,                      cordoned: STALE,                      draining: STALE,                      drained: STALE },
  'drain:done':                           { idle: refuse(),                   cordoned: refuse(),                   draining: FINISH,                     drained: refuse() },
  'drain:out-of-time':                    { idle: refuse(),                   cordoned: refuse(),                   draining: same('hand-over'),          drained: refuse() },
  'drain:taken-over':                     { idle: refuse(),                   cordoned: refuse(),                   draining: same('superseded'),         drained: refuse() },
};

export class IllegalTransitionError extends LifeguardError {}

/** The table's cell for this phase and input. */
export const rowFor = (phase: Phase, input: Input): Row => LIFECYCLE[input][phase];

/** The phase that follows `input` in `phase`; an input the table refuses there is an IllegalTransitionError. */
export function phaseAfter(phase: Phase, input: Input): Phase {
  const row = rowFor(phase, input);
  if (row.step === 'refuse') throw new IllegalTransitionError(refusal(phase, input));
  return row.then === 'same' ? phase : row.then;
}

/** Why the table refuses `input` in `phase`. */
export const refusal = (phase: Phase, input: Input): string => `node lifecycle: "${input}" is not allowed in phase "${phase}"`;

/**
 * The status an instance's report shows for each step (lib/interruption/report.ts). `busy` and
 * `refuse` fail the delivery instead; `act` is `cordoned` until its drain ends.
 */
export const STATUS_OF = {
  none: 'no-action',
  duplicate: 'duplicate',
  stale: 'stale',
  schedule: 'scheduled',
  recheck: 'scheduled',
  'give-up': 'no-action',
  cancel: 'cancelled',
  revert: 'reverted',
  act: 'cordoned',
  'finish-drain': 'drained',
  'hand-over': 'handed-over',
  superseded: 'superseded',
} as const satisfies Partial<Record<StepKind, string>>;
export type StepStatus = (typeof STATUS_OF)[keyof typeof STATUS_OF];
