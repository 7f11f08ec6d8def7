import { z } from 'zod';

/** Lifeguard's own events (`source: lifeguard` by default), as the interruption handler and the failover state machine emit them. */
export const LIFEGUARD_EVENT_TYPES = ['Node Drain Started', 'Node Drain Completed', 'Spark Driver At Risk', 'Failover Completed', 'Failover Failed'] as const;
export type LifeguardEventType = (typeof LIFEGUARD_EVENT_TYPES)[number];

/** A value kept in Secrets Manager; CloudFormation resolves it at deploy time, the template never holds it. */
const secretRefSchema = z
  .object({
    /** Secret name or ARN. */
    secretId: z.string().regex(/^[A-Za-z0-9/_+=.@:-]+$/, 'a Secrets Manager secret name or ARN'),
    /** Key inside a JSON secret; omit when the whole SecretString is the value. */
    jsonKey: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a JSON key (letters, digits, _ . -)').optional(),
  })
  .strict();
export type SecretRef = z.infer<typeof secretRefSchema>;

const snsSchema = z
  .object({
    /** An existing topic (its policy must let events.amazonaws.com publish); omit to let the stack create one. */
    topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, 'an SNS topic ARN').optional(),
    /** Email subscriptions on the topic the stack creates (each address confirms once). */
    emails: z.array(z.email({ error: 'an email address' })).default([]),
  })
  .strict()
  .refine((s) => !(s.topicArn && s.emails.length), {
    message: 'emails subscribe to the topic the stack creates: with topicArn, subscribe them to your topic yourself',
  });

const webhookSchema = z
  .object({
    /** The HTTPS endpoint, when its URL is no secret (the credential then goes in `auth`). */
    endpoint: z.url({ protocol: /^https$/, error: 'an https:// URL' }).optional(),
    /** The endpoint from Secrets Manager, for webhooks whose URL is the secret (Slack incoming webhooks). */
    endpointSecret: secretRefSchema.optional(),
    /** A header sent with every call, its value from Secrets Manager (e.g. Authorization: Bearer …). */
    auth: z
      .object({
        header: z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name').default('Authorization'),
        secret: secretRefSchema,
      })
      .strict()
      .optional(),
    /** slack: `{"text": …}`; json: `{"text": …, "detailType": …, "detail": {…}}` with the whole event detail. */
    format: z.enum(['slack', 'json']).default('slack'),
    rateLimitPerSecond: z.number().int().min(1).max(300).default(1),
  })
  .strict()
  .refine((w) => Boolean(w.endpoint) !== Boolean(w.endpointSecret), { message: 'give exactly one of endpoint and endpointSecret' });

/** Optional routes from Lifeguard's own events to people: an SNS topic and/or a webhook. */
export const notificationsConfigSchema = z
  .object({
    /** Which events to send (default: all but the frequent Node Drain Started). */
    events: z.array(z.enum(LIFEGUARD_EVENT_TYPES)).min(1).default(['Node Drain Completed', 'Spark Driver At Risk', 'Failover Completed', 'Failover Failed']),
    sns: snsSchema.optional(),
    webhook: webhookSchema.optional(),
  })
  .strict()
  .refine((n) => n.sns || n.webhook, { message: 'name at least one destination: sns or webhook' })
  .optional();

export type NotificationsConfig = NonNullable<z.infer<typeof notificationsConfigSchema>>;
