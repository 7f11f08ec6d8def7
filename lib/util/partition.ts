/**
 * The AWS partition a region belongs to: ARNs name it (`arn:aws-cn:...`), and the China and
 * GovCloud partitions reject an ARN of another partition.
 */
export function partitionOf(region: string): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
