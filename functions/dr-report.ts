import middy from '@middy/core';
import { computeRto, type RtoReport } from '../lib/dr/rto.ts';

/** Last step of a successful failover: the RTO breakdown that `Failover Completed` carries. */
export const handler = middy<unknown, RtoReport>().handler(async (event) => computeRto(event));
