import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeConfigFor, kubeConfigFromFile, resetKubeConnectionCache } from '../../../lib/kube/connect.ts';
import { VirtualClock } from '../../../sandbox/clock/virtual-clock.ts';

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const eksMock = mockClient(EKSClient);

/** The bearer token a request made through `kc` would carry. */
async function authorization(kc: Awaited<ReturnType<typeof kubeConfigFor>>): Promise<string> {
  const context = new RequestContext('https://example.invalid/api/v1/nodes', HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  return context.getHeaders().Authorization ?? '';
}

function amzDate(authorizationHeader: string): string | null {
  const url = new URL(Buffer.from(authorizationHeader.replace('Bearer k8s-aws-v1.', ''), 'base64url').toString('utf8'));
  return url.searchParams.get('X-Amz-Date');
}

beforeEach(() => {
  eksMock.reset();
  resetKubeConnectionCache();
});

describe('kubeConfigFor', () => {
  it('uses endpoint and CA from the configuration without calling EKS', async () => {
    const clock = new VirtualClock();
    const kc = await kubeConfigFor(
      { name: 'spark-prod', endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com', certificateAuthority: CA, accessEntry: true },
      { region: 'us-east-1', eks: new EKSClient({ region: 'us-east-1' }), clock, credentials },
    );
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(0);
    const cluster = kc.getCurrentCluster();
    expect(cluster?.server).toBe('https://ABC.gr7.us-east-1.eks.amazonaws.com');
    expect(cluster?.caData).toBe(CA);
    expect(cluster?.skipTLSVerify).toBe(false);
    expect(await authorization(kc)).toMatch(/^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/);
  });

  it('looks endpoint and CA up with DescribeCluster once per cluster, in the cluster region', async () => {
    eksMock.on(DescribeClusterCommand).resolves({
      cluster: { name: 'spark-dev', endpoint: 'https://DEF.eu-west-1.eks.amazonaws.com', certificateAuthority: { data: CA } },
    });
    const clock = new VirtualClock();
    const options = { region: 'us-east-1', eks: new EKSClient({ region: 'eu-west-1' }), clock, credentials };
    const cluster = { name: 'spark-dev', region: 'eu-west-1', accessEntry: true };
    const kc = await kubeConfigFor(cluster, options);
    await kubeConfigFor(cluster, options);
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(1);
    expect(eksMock.commandCalls(DescribeClusterCommand)[0]!.args[0].input).toEqual({ name: 'spark-dev' });
    expect(kc.getCurrentCluster()?.server).toBe('https://DEF.eu-west-1.eks.amazonaws.com');
    const token = await authorization(kc);
    const sts = new URL(Buffer.from(token.replace('Bearer k8s-aws-v1.', ''), 'base64url').toString('utf8'));
    expect(sts.host).toBe('sts.eu-west-1.amazonaws.com');
  });

  it('fails with the missing field when DescribeCluster has no CA, and retries next time', async () => {
    eksMock.on(DescribeClusterCommand).resolvesOnce({ cluster: { endpoint: 'https://x.eks.amazonaws.com' } }).resolves({
      cluster: { endpoint: 'https://x.eks.amazonaws.com', certificateAuthority: { data: CA } },
    });
    const clock = new VirtualClock();
    const options = { region: 'us-east-1', eks: new EKSClient({ region: 'us-east-1' }), clock, credentials };
    await expect(kubeConfigFor({ name: 'c', accessEntry: true }, options)).rejects.toThrow(/certificateAuthority/);
    await expect(kubeConfigFor({ name: 'c', accessEntry: true }, options)).resolves.toBeDefined();
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(2);
  });

  it('reuses the token until one minute before its 14-minute life ends, then mints a new one', async () => {
    const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
    const cluster = { name: 'spark-prod', endpoint: 'https://a.eks.amazonaws.com', certificateAuthority: CA, accessEntry: true };
    const options = { region: 'us-east-1', clock, credentials };
    const kc = await kubeConfigFor(cluster, options);
    const first = await authorization(kc);
    expect(amzDate(first)).toBe('20260101T000000Z');

    await clock.runUntil(clock.now() + 13 * 60_000 - 1);
    expect(await authorization(kc)).toBe(first);
    // Another KubeConfig for the same cluster (a later warm invocation) shares the cache.
    expect(await authorization(await kubeConfigFor(cluster, options))).toBe(first);

    await clock.runUntil(clock.now() + 1);
    const second = await authorization(kc);
    expect(second).not.toBe(first);
    expect(amzDate(second)).toBe('20260101T001300Z');
  });
});

describe('kubeConfigFromFile', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a kubeconfig file and switches to the named context', () => {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    const path = join(dir, 'config');
    writeFileSync(path, [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- { name: one, cluster: { server: "https://one.example:6443" } }',
      '- { name: two, cluster: { server: "https://two.example:6443" } }',
      'users:',
      '- { name: me, user: { token: abc } }',
      'contexts:',
      '- { name: ctx-one, context: { cluster: one, user: me } }',
      '- { name: ctx-two, context: { cluster: two, user: me } }',
      'current-context: ctx-one',
    ].join('\n'));
    expect(kubeConfigFromFile(path).getCurrentCluster()?.server).toBe('https://one.example:6443');
    expect(kubeConfigFromFile(path, 'ctx-two').getCurrentCluster()?.server).toBe('https://two.example:6443');
    expect(() => kubeConfigFromFile(path, 'nope')).toThrow(/context "nope" is not in .*ctx-one, ctx-two/);
  });

  it('says so when the file does not exist', () => {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    expect(() => kubeConfigFromFile(join(dir, 'missing'))).toThrow(/does not exist/);
  });
});
