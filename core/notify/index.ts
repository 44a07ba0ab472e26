/** Notifications: Slack Block Kit messages (escaped, within limits) and SNS notices. */
export {
  APPROVAL_BLOCK_ID,
  APPROVE_ACTION_ID,
  incidentMessage,
  REJECT_ACTION_ID,
  type RenderOptions,
} from "./blocks.js";
export { describeError } from "./format.js";
export { SLACK_LIMITS, SNS_LIMITS } from "./limits.js";
export { consoleLink, dashboardLink } from "./links.js";
export { escapeMrkdwn, escapeMrkdwnLine, mrkdwnCode, plainText, stripControl, truncateEscaped } from "./mrkdwn.js";
export { type Channel, type NoticeOptions, type NotifyInput, type NotifyResult, notifyIncident } from "./notify.js";
export { type RedeliveryReport, redeliverPendingNotices } from "./redeliver.js";
export { escalationReply, noteReply, transitionsReply } from "./replies.js";
export { slackSecretsFromEnv } from "./secrets.js";
export { type SlackApi, SlackCallFailed, type SlackMessage, slackApi } from "./slack.js";
export { approverMention, type RenderedMessage, slackDate } from "./slack-text.js";
export { jsonNotice, type NoticeKind, plainTextNotice, publishInput, publishNotice, smsNotice } from "./sns.js";
