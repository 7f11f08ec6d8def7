import type { ReachTarget } from './probe.ts';

export interface AwsTargetOptions {
  /** For the sentence: "AWS Step Functions". */
  service: string;
  /** The URL the command's client sends to. */
  endpoint: string;
  region: string;
  env: NodeJS.ProcessEnv;
}

/** The SDK's service-specific endpoint override (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL), as the SDKs read it. */
export function endpointOverride(env: NodeJS.ProcessEnv, serviceId: string): string | undefined {
  return env[`AWS_ENDPOINT_URL_${serviceId}`] || env.AWS_ENDPOINT_URL || undefined;
}

/** A service's regional endpoint: the override when set, else https://PREFIX.REGION.amazonaws.com (.com.cn in China). */
export function awsEndpoint(env: NodeJS.ProcessEnv, serviceId: string, prefix: string, region: string): string {
  return endpointOverride(env, serviceId) ?? `https://${prefix}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/**
 * An AWS service the command is about to call. The cheap read is sts:GetCallerIdentity, which
 * needs no permission ("No permissions are required to perform this operation", STS API
 * reference): it fails only for missing, expired or invalid credentials.
 */
export function awsTarget(options: AwsTargetOptions): ReachTarget {
  return {
    what: options.service,
    endpoint: options.endpoint,
    async read(timeoutMs) {
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      const endpoint = endpointOverride(options.env, 'STS');
      const sts = new STSClient({ region: options.region, maxAttempts: 1, requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs }, ...(endpoint ? { endpoint } : {}) });
      try {
        await sts.send(new GetCallerIdentityCommand({}), { abortSignal: AbortSignal.timeout(timeoutMs) });
      } finally {
        sts.destroy();
      }
    },
    readCause: awsCredentialCause,
  };
}

/** The likely cause of an AWS call refused for its credentials, by the SDK's error name. */
export function awsCredentialCause(err: unknown): string | undefined {
  const name = (err as { name?: string } | undefined)?.name ?? '';
  if (name === 'CredentialsProviderError') return 'no AWS credentials found: set AWS_PROFILE, run aws sso login, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  if (/^(ExpiredToken|ExpiredTokenException|RequestExpired|TokenRefreshRequired)$/.test(name)) return 'the AWS credentials have expired: renew them (aws sso login, or a fresh session) and try again';
  if (/^(InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|InvalidSignatureException)$/.test(name)) {
    return `the AWS credentials were refused (${name}): check AWS_PROFILE and the keys in use`;
  }
  return undefined;
}
