/**
 * Attempts per AWS call for the DR Lambdas' SDK clients (standard retry mode: exponential back-off
 * with jitter, throttling included). The planner makes a dozen reads in one minute; a throttled
 * one should wait and try again, not end the failover. The sandbox uses the same setting.
 */
export const DR_SDK_MAX_ATTEMPTS = 6;

/**
 * The probes' lookup of the serving master: fewer attempts (worst-case back-off about 3 s), so the
 * lookup and a probe of up to 25 s still fit the confirm Lambda's 30 s; a warm probe falls back to
 * the last master it saw serving.
 */
export const PROBE_SDK_MAX_ATTEMPTS = 3;
