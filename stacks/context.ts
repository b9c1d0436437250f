/** The account, Region and partition being deployed to (looked up once per deployment). */
export function awsContext() {
  return {
    account: aws.getCallerIdentityOutput({}).accountId,
    region: aws.getRegionOutput({}).region,
    partition: aws.getPartitionOutput({}).partition,
  };
}

export type AwsContext = ReturnType<typeof awsContext>;
