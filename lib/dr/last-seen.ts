import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { HealthVerdict, WorkSeen } from './types.ts';

/**
 * What the last healthy probe of a cluster saw running, kept so that a failover can say what the
 * outage took with it: the YARN applications and Livy sessions on the master then. One item per
 * cluster in the failover lock table (`seen#<cluster>`, beside the `emr#<cluster>` locks), written by
 * the scheduled probe after each healthy verdict and read by the state machine at the end of a
 * failover. Counts and the first ids only: a few hundred bytes.
 */

/** The probe's environment variable naming the lock table. */
export const LOCK_TABLE_ENV = 'LIFEGUARD_LOCK_TABLE';

/** The key of a cluster's item; the state machine builds the same with States.Format. */
export const lastSeenKey = (cluster: string) => `seen#${cluster}`;
/** Kept a day: a failover long after the last healthy probe reports nothing rather than stale work. */
export const LAST_SEEN_TTL_SECONDS = 86_400;

export interface LastSeen {
  /** When the probe saw it (ISO). */
  at: string;
  yarnApplications: WorkSeen | null;
  livySessions: WorkSeen | null;
}

/** Where the probe keeps it (DynamoDB in Lambda; the sandbox's lock table). */
export interface LastSeenStore {
  record(cluster: string, seen: LastSeen): Promise<void>;
}

/** The work a healthy verdict carries, or nothing to record. */
export function lastSeenOf(verdict: HealthVerdict): LastSeen | undefined {
  if (!verdict.healthy) return undefined;
  return {
    at: new Date(verdict.checkedAt).toISOString(),
    yarnApplications: verdict.services.resourceManager.work ?? null,
    livySessions: verdict.services.livy.work ?? null,
  };
}

export function lastSeenItem(cluster: string, seen: LastSeen) {
  const expiresAt = Math.floor(Date.parse(seen.at) / 1000) + LAST_SEEN_TTL_SECONDS;
  return {
    lockKey: { S: lastSeenKey(cluster) },
    seenAt: { S: seen.at },
    work: { S: JSON.stringify({ yarnApplications: seen.yarnApplications, livySessions: seen.livySessions }) },
    expiresAt: { N: String(expiresAt) },
  };
}

export function dynamoLastSeenStore(client: DynamoDBClient, tableName: string): LastSeenStore {
  return {
    record: async (cluster, seen) => {
      await client.send(new PutItemCommand({ TableName: tableName, Item: lastSeenItem(cluster, seen) }));
    },
  };
}

const workSchema = z.object({ count: z.number(), ids: z.array(z.string()) }).nullable();
const storedWorkSchema = z.object({ yarnApplications: workSchema, livySessions: workSchema });

/** The item as the state machine's GetItem returns it (`{ Item }`, no Item when nothing was recorded). */
export const lastSeenReadSchema = z
  .object({
    Item: z
      .object({ seenAt: z.object({ S: z.string() }), work: z.object({ S: z.string() }) })
      .loose()
      .optional(),
  })
  .loose();

/** What the failover report says the outage took with it, from the stored item. */
export function lastSeenFromRead(read: z.infer<typeof lastSeenReadSchema> | null | undefined): LastSeen | null {
  if (!read?.Item) return null;
  let work: unknown;
  try {
    work = JSON.parse(read.Item.work.S);
  } catch {
    return null;
  }
  const parsed = storedWorkSchema.safeParse(work);
  return parsed.success ? { at: read.Item.seenAt.S, ...parsed.data } : null;
}
