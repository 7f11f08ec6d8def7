import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2InstanceDirectory } from '../../../lib/aws/ec2-directory.ts';

/** The node lookup's EC2 side: built from a region, it loads the EC2 client on first use. */

const ec2Mock = mockClient(EC2Client);
beforeEach(() => ec2Mock.reset());

describe('Ec2InstanceDirectory from a region', () => {
  it('creates its client on first use and asks DescribeInstances for the one instance (each time: the node index remembers answers, not the directory)', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-0123456789abcdef0', PrivateDnsName: 'ip-10-0-1-10.ec2.internal' }] }],
    });
    const directory = new Ec2InstanceDirectory({ region: 'eu-west-1' });
    expect(await directory.privateDnsName('not-an-instance')).toBeUndefined();
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(await directory.privateDnsName('i-0123456789abcdef0')).toBe('ip-10-0-1-10.ec2.internal');
    expect(await directory.privateDnsName('i-0123456789abcdef0')).toBe('ip-10-0-1-10.ec2.internal');
    const calls = ec2Mock.commandCalls(DescribeInstancesCommand);
    expect(calls).toHaveLength(2);
    expect(await calls[0]!.thisValue.config.region()).toBe('eu-west-1');
  });
});
