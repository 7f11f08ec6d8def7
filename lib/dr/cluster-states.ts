/** The EMR states of a cluster that is going or gone: it serves nothing and can be given no more work. */
export const CLUSTER_GONE_STATES = ['TERMINATING', 'TERMINATED', 'TERMINATED_WITH_ERRORS'] as const;
