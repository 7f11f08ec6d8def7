import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEksToken, EKS_TOKEN_LIFETIME_MS } from '../../../lib/kube/eks-token.ts';

const credentials = async () => ({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session/token+with=odd chars',
});
const now = () => new Date('2026-01-01T12:34:56Z');

function decode(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const encoded = token.slice('k8s-aws-v1.'.length);
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

/** SigV4 query-string signature computed from scratch, to check the token independently. */
function expectedSignature(url: URL, cluster: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature');
  const canonicalQuery = params.map(([k, v]) => `${enc(k)}=${enc(v)}`).sort().join('&');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    `host:${url.host}\nx-k8s-aws-id:${cluster}\n`,
    'host;x-k8s-aws-id',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const scope = url.searchParams.get('X-Amz-Credential')!.split('/').slice(1).join('/');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const [date, region, service] = scope.split('/') as [string, string, string];
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('createEksToken', () => {
  it('encodes a presigned STS GetCallerIdentity URL for the regional endpoint', async () => {
    const { token, expiresAt } = await createEksToken('spark-prod', { region: 'eu-west-1', credentials, now });
    const url = decode(token);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20260101/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-Date')).toBe('20260101T123456Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-Security-Token')).toBe('session/token+with=odd chars');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(expiresAt).toBe(now().getTime() + EKS_TOKEN_LIFETIME_MS);
    expect(EKS_TOKEN_LIFETIME_MS).toBe(14 * 60_000);
  });

  it('signs the cluster header: the signature matches an independent SigV4 computation', async () => {
    const { token } = await createEksToken('spark-prod', { region: 'eu-west-1', credentials, now });
    const url = decode(token);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, 'spark-prod', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
    );
  });

  it('is stable for a fixed clock and credentials, and differs per cluster', async () => {
    const a1 = await createEksToken('spark-prod', { region: 'us-east-1', credentials, now });
    const a2 = await createEksToken('spark-prod', { region: 'us-east-1', credentials, now });
    const b = await createEksToken('spark-dev', { region: 'us-east-1', credentials, now });
    expect(a1.token).toBe(a2.token);
    expect(decode(b.token).searchParams.get('X-Amz-Signature')).not.toBe(decode(a1.token).searchParams.get('X-Amz-Signature'));
  });

  it('uses the amazonaws.com.cn endpoint in China regions', async () => {
    const { token } = await createEksToken('c', { region: 'cn-north-1', credentials, now });
    expect(decode(token).host).toBe('sts.cn-north-1.amazonaws.com.cn');
  });

  it('rejects a bad cluster name or region, naming the field', async () => {
    await expect(createEksToken('', { region: 'us-east-1', credentials, now })).rejects.toThrow(/clusterName/);
    await expect(createEksToken('ok', { region: 'not a region', credentials, now })).rejects.toThrow(/region/);
  });
});
