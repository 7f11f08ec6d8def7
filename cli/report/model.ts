/** What one page pictures; times in seconds from the run's origin. */

export type RowOutcome = 'evicted' | 'deleted' | 'killed-at-deadline' | 'exited-before-deadline' | 'skipped' | 'untouched';

export interface PodRow {
  pod: string;
  group: string;
  outcome: RowOutcome | string;
  /** Start of its termination; an untouched pod runs from 0. */
  from: number;
  /** Gone; null: still running when the run ended. */
  to: number | null;
  forced: boolean;
  refusals: number[];
}

/** One node's lane: its pods, and when it was warned, cordoned, due empty and gone. */
export interface NodeLane {
  node: string;
  warning: number | null;
  cordon: number | null;
  deadline: number | null;
  terminated: number | null;
  rows: PodRow[];
}

export interface FailoverView {
  rtoSeconds: number;
  phases: Record<string, number>;
}

/** The disaster-recovery details the text output lists: executions, clusters, the target switch. */
export interface DrView {
  executions: Array<{ id: string; mode: string; cluster: string; at: number; outcome: string; endedAt: number | null }>;
  clusters: Array<{ name: string; id?: string; state: string; zone: string; masterIp: string; replaces: string | null }>;
  /** Per target group (its short name), each change of its targets. */
  targets: Record<string, Array<{ t: number; targets: Array<{ ip: string; port: number; state: string }> }>>;
  /** When the run ended (the target lanes run to it). */
  endedAt: number;
}

export interface PageModel {
  title: string;
  summary: Array<{ key: string; text: string }>;
  lanes: NodeLane[];
  /** Nodes with nothing to show (not warned, nothing stopped, no driver). */
  quietNodes: number;
  failover?: FailoverView;
  dr?: DrView;
}
