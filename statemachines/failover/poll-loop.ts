import type { State, States } from './common.ts';

/**
 * The states of a poll loop: wait, describe, count the poll, judge. The judge's verdicts come
 * first; once the poll count reaches its limit the loop gives up; anything else waits again. The
 * count lives in the execution state as `{ n }`, so a timeout can say how many polls it took.
 */
export interface PollLoop {
  /** State names, in the order the loop runs them; `wait` is where the loop is entered. */
  names: { wait: string; describe: string; count: string; judge: string };
  /** SecondsPath of the wait. */
  intervalPath: string;
  /** The Task that reads what is polled (without Next). */
  describe: State;
  /** Where the poll count `{ n }` lives. */
  pollsPath: string;
  /** The Choice rules that end the loop, checked before the poll limit. */
  verdicts: State[];
  /** The path of the poll limit, and where the loop goes once the count reaches it. */
  maxPollsPath: string;
  giveUp: string;
}

export function pollLoop({ names, intervalPath, describe, pollsPath, verdicts, maxPollsPath, giveUp }: PollLoop): States {
  return {
    [names.wait]: { Type: 'Wait', SecondsPath: intervalPath, Next: names.describe },
    [names.describe]: { ...describe, Next: names.count },
    [names.count]: { Type: 'Pass', Parameters: { 'n.$': `States.MathAdd(${pollsPath}.n, 1)` }, ResultPath: pollsPath, Next: names.judge },
    [names.judge]: {
      Type: 'Choice',
      Choices: [...verdicts, { Variable: `${pollsPath}.n`, NumericGreaterThanEqualsPath: maxPollsPath, Next: giveUp }],
      Default: names.wait,
    },
  };
}
