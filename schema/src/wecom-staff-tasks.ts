// WeCom work done by staff members in their app, as states: customer transfers, phone-number
// outreach, moments and group-chat sends (the runtime reads their outcomes back from WeCom).
import './wecom-limits.ts';
import './wecom-transfers.ts';
import './wecom-outreach.ts';
import './wecom-moments.ts';
