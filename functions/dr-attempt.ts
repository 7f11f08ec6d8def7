import middy from '@middy/core';
import { judgeAttempt, type Attempts } from '../lib/dr/attempts.ts';

/** After each attempt to create the replacement: its record, and whether the next fitting zone is worth a try. */
export const attemptHandler = async (event: unknown): Promise<Attempts> => judgeAttempt(event);

export const handler = middy<unknown, Attempts>().handler(attemptHandler);
