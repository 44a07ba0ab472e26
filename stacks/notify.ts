// Alerts for email, SMS and pagers: every incident notice is also published here.
export const alerts = new sst.aws.SnsTopic("Alerts");
