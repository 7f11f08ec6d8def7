/**
 * Error names as Step Functions reports them for the failover state machine's tasks. AWS SDK
 * integrations (`aws-sdk:<service>:<action>`) raise `<Service>.<ErrorCode>`: the service part is
 * the SDK service name in PascalCase (`Emr`, `ElasticLoadBalancingV2`), and an `Exception` suffix
 * is always added, even to codes that have none (ELBv2's `Throttling` is
 * `ElasticLoadBalancingV2.ThrottlingException`).
 */
export const THROTTLING_ERROR = {
  emr: 'Emr.ThrottlingException',
  elbv2: 'ElasticLoadBalancingV2.ThrottlingException',
  events: 'EventBridge.ThrottlingException',
} as const;

/**
 * Throttling as a Lambda of ours reports it: the error's own name (the SDK client gave up after
 * its own retries). The planner reads EMR, EC2 and ELBv2; each spells throttling its own way.
 */
export const LAMBDA_THROTTLING_ERRORS = ['ThrottlingException', 'Throttling', 'RequestLimitExceeded', 'TooManyRequestsException'] as const;

/**
 * Transient errors of the lock table's optimized integration (`arn:aws:states:::dynamodb:*`).
 * Confirmed by documentation: Step Functions prefixes this integration's errors with `DynamoDB.`
 * (Step Functions guide, "Call DynamoDB APIs": "For optimized integrations, the exception prefix
 * will be DynamoDB"); the retryable codes are DynamoDB's own (DynamoDB guide, "Error handling":
 * ProvisionedThroughputExceededException, RequestLimitExceeded, ThrottlingException, and
 * InternalServerError for HTTP 500). Defensive: whether this integration appends `Exception` to a
 * code that lacks it, as the AWS SDK integrations do, is not documented, so both spellings of
 * RequestLimitExceeded and InternalServerError are retried; and `DynamoDB.AmazonDynamoDBException`,
 * the name an error without a modelled code surfaces under (an HTTP 503, say), which the Step
 * Functions guide's own DynamoDB sample project ("Invoke Synchronous Express Workflows") retries.
 */
export const DYNAMODB_RETRYABLE_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.RequestLimitExceeded',
  'DynamoDB.InternalServerError',
  'DynamoDB.RequestLimitExceededException',
  'DynamoDB.InternalServerErrorException',
  'DynamoDB.AmazonDynamoDBException',
] as const;

/** The lock is held by another execution. */
export const LOCK_HELD_ERROR = 'DynamoDB.ConditionalCheckFailedException';

/** Transient Lambda service errors worth retrying (not errors thrown by our own code). */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** Deregistering a target that is not registered (already gone) is not a failure. */
export const TARGET_NOT_REGISTERED_ERROR = 'ElasticLoadBalancingV2.InvalidTargetException';

/** Errors the state machine itself raises (Fail states and Pass-built error records). */
export const FAILOVER_ERRORS = {
  invalidInput: 'InvalidFailoverInput',
  lockUnavailable: 'LockUnavailable',
  clusterCreationFailed: 'ClusterCreationFailed',
  clusterCreationTimedOut: 'ClusterCreationTimedOut',
  /** Every fitting zone lacked capacity for the replacement, or the time to try another ran out. */
  noCapacity: 'NoZoneWithCapacity',
  newMasterNotFound: 'NewMasterNotFound',
  targetNeverHealthy: 'TargetNeverHealthy',
  /** The replacement stayed STARTING past POLL.clusterStartingMaxAttempts: EMR is waiting for capacity. */
  stillStarting: 'ClusterStillStarting',
  /** The warm standby failed its probes: the failover created a replacement instead. */
  standbyUnhealthy: 'StandbyUnhealthy',
} as const;
