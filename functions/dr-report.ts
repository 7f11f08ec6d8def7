import middy from '@middy/core';
import { computeRto, type RtoReport } from '../lib/dr/rto.ts';

/** Last step of a successful failover: the RTO breakdown that `Failover Completed` carries. */
export const reportHandler = async (event: unknown): Promise<RtoReport> => computeRto(event);

export const handler = middy<unknown, RtoReport>().handler(reportHandler);
