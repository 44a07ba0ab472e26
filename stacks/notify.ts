import { config } from "./config";

// Alerts for e-mail, SMS and pagers: every incident notice is published here (unless the
// configuration names another topic), and so are the workflow and queue alarms. Encrypted on
// request with a customer-managed key, since CloudWatch alarms cannot use the AWS-managed one.
const account = aws.getCallerIdentityOutput().accountId;
const partition = aws.getPartitionOutput().partition;

export const alertsKey = config.aws.encryptAlerts
  ? new aws.kms.Key("AlertsKey", {
      description: `Riposte ${$app.stage}: alerts topic encryption`,
      enableKeyRotation: true,
      policy: $jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            // The key policy every KMS key starts from: the account's IAM policies decide the rest.
            Sid: "AccountAdministers",
            Effect: "Allow",
            Principal: { AWS: $interpolate`arn:${partition}:iam::${account}:root` },
            Action: "kms:*",
            Resource: "*",
          },
          {
            Sid: "AlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": account } },
          },
        ],
      }),
    })
  : undefined;

export const alerts = new sst.aws.SnsTopic("Alerts", {
  transform: {
    topic: (args) => {
      if (alertsKey) args.kmsMasterKeyId = alertsKey.arn;
    },
  },
});

/** The topic notices go to: the configured one, or this stage's. */
export const noticesTopicArn: $util.Input<string> = config.notify.sns?.topicArn ?? alerts.arn;
