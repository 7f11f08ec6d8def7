import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { z } from 'zod';
import { LifeguardError } from '../util/errors.ts';
import { issuesInline } from '../util/zod-issues.ts';

/** No EKS token could be made for the cluster. */
export class EksTokenError extends LifeguardError {}

/** The prefix EKS (aws-iam-authenticator) expects in front of the encoded presigned URL. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header naming the cluster; signed, so a token for one cluster is useless on another. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** EKS accepts a token for 15 minutes from its X-Amz-Date; we stop using it a minute earlier. */
export const EKS_TOKEN_LIFETIME_MS = 14 * 60_000;
/** What `aws eks get-token` puts in X-Amz-Expires; EKS enforces its own 15-minute window. */
const PRESIGN_EXPIRES_SECONDS = 60;

const inputSchema = z.object({
  clusterName: z.string().min(1, 'clusterName is required').regex(/^[0-9A-Za-z][A-Za-z0-9\-_]*$/, 'clusterName must be an EKS cluster name'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'region must look like us-east-1'),
});

export interface EksTokenOptions {
  region: string;
  /** Defaults to the SDK's node provider chain (Lambda: the function role from the environment). */
  credentials?: AwsCredentialIdentityProvider;
  /** Signing time; injectable for stable signatures in tests. */
  now?: () => Date;
}

let defaultCredentials: AwsCredentialIdentityProvider | undefined;

/**
 * A bearer token for an EKS API server: `k8s-aws-v1.` + base64url (no padding) of a presigned STS
 * GetCallerIdentity URL whose signature covers the `x-k8s-aws-id: <cluster>` header. EKS replays
 * the URL to STS to learn the caller's IAM identity, then maps it through the access entries.
 */
export async function createEksToken(
  clusterName: string,
  options: EksTokenOptions,
): Promise<{ token: string; expiresAt: number }> {
  const input = inputSchema.safeParse({ clusterName, region: options.region });
  if (!input.success) {
    throw new EksTokenError(`cannot create an EKS token: ${issuesInline(input.error, { value: { clusterName, region: options.region } })}`);
  }
  const { region } = input.data;
  const credentials = options.credentials ?? (defaultCredentials ??= defaultProvider());
  const signingDate = options.now?.() ?? new Date();
  const hostname = stsHostname(region);

  const signer = new SignatureV4({ credentials, region, service: 'sts', sha256: Sha256 });
  const presigned = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: clusterName },
    }),
    { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate },
  );

  const url = `https://${hostname}/?${queryString(presigned.query ?? {})}`;
  const token = EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
  return { token, expiresAt: signingDate.getTime() + EKS_TOKEN_LIFETIME_MS };
}

/** The regional STS endpoint (China regions live under amazonaws.com.cn). */
function stsHostname(region: string): string {
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

/** RFC 3986 query encoding, as SigV4 canonicalises it. */
function queryString(query: NonNullable<HttpRequest['query']>): string {
  const encode = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    const values = value == null ? [] : Array.isArray(value) ? value : [value];
    for (const v of values) parts.push(`${encode(key)}=${encode(v)}`);
  }
  return parts.join('&');
}
