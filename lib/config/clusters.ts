import { z } from 'zod';

/** An EKS cluster whose nodes Lifeguard protects. */
export const eksClusterSchema = z
  .object({
    name: z.string().min(1).regex(/^[0-9A-Za-z][A-Za-z0-9\-_]*$/, 'an EKS cluster name'),
    region: z.string().min(1).optional(),
    /** API server URL; looked up with eks:DescribeCluster when absent. */
    endpoint: z.url().optional(),
    /** Base64 PEM of the cluster CA; looked up with eks:DescribeCluster when absent. */
    certificateAuthority: z.string().min(1).optional(),
    /**
     * Create an EKS access entry mapping Lifeguard's role to the `lifeguard:node-drainer` group
     * (needs the cluster's authentication mode API or API_AND_CONFIG_MAP). Set false to map it yourself.
     */
    accessEntry: z.boolean().default(true),
  })
  .strict();

export type EksCluster = z.infer<typeof eksClusterSchema>;
