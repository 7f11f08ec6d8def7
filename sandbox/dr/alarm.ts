/**
 * A cluster's health alarm as CloudWatch evaluates the deployed one (deploy/dr-triggers.ts): the scheduled
 * probe publishes ClusterHealthy once a minute; each period's data point is the Maximum (any
 * healthy probe keeps the period from breaching); the alarm is in ALARM while at least
 * `datapointsToAlarm` of the last `evaluationPeriods` points breach. It starts OK: the cluster was
 * healthy before the scenario began.
 */

export interface AlarmSettings {
  periodSeconds: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
}

export type AlarmState = 'OK' | 'ALARM';

/** The probe's schedule (rate(1 minute)). */
export const PROBE_INTERVAL_SECONDS = 60;

export class SandboxAlarm {
  state: AlarmState = 'OK';
  private readonly points: boolean[] = [];
  private inPeriod: boolean[] = [];

  constructor(private readonly settings: AlarmSettings) {}

  /** One scheduled probe's verdict; returns the new state when this closed a period and changed it. */
  record(healthy: boolean): AlarmState | undefined {
    this.inPeriod.push(healthy);
    // A period shorter than the probe's minute gets one probe (the rest of it is missing data).
    const probesPerPeriod = Math.max(1, Math.round(this.settings.periodSeconds / PROBE_INTERVAL_SECONDS));
    if (this.inPeriod.length < probesPerPeriod) return undefined;
    const breaching = !this.inPeriod.some(Boolean);
    this.inPeriod = [];
    this.points.push(breaching);
    if (this.points.length > this.settings.evaluationPeriods) this.points.shift();
    const next: AlarmState = this.points.filter(Boolean).length >= this.settings.datapointsToAlarm ? 'ALARM' : 'OK';
    if (next === this.state) return undefined;
    this.state = next;
    return next;
  }
}
