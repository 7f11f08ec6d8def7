/**
 * Attempts per AWS call for the DR Lambdas' SDK clients (standard retry mode: exponential back-off
 * with jitter, throttling included). The planner makes a dozen reads in one minute; a throttled
 * one should wait and try again, not end the failover. The sandbox uses the same setting.
 */
export const DR_SDK_MAX_ATTEMPTS = 6;
