import type { CorrelationStore, DatedMember } from "../correlation/store.js";
import { principalStateKey, signInBaselineKey } from "../detections/identity/principal-state.js";
import type { PrincipalBaselines } from "../store/ports.js";

/** Members present before `time`: those first seen earlier, and those stored before times were kept. */
function knownBefore(members: DatedMember[], time: number): DatedMember[] {
  return members.filter((entry) => entry.firstSeen === undefined || entry.firstSeen < time);
}

/** Principal baselines over the correlation store the detections write (SQLite locally, DynamoDB on AWS). */
export function correlationBaselines(state: CorrelationStore): PrincipalBaselines {
  return {
    async before(account, principal, time) {
      const key = principalStateKey(account, principal);
      const [ips, devices] = await Promise.all([
        state.datedMembers(signInBaselineKey("ip", key), time),
        state.datedMembers(signInBaselineKey("device", key), time),
      ]);
      const knownIps = knownBefore(ips, time);
      const knownDevices = knownBefore(devices, time);
      const times = [...knownIps, ...knownDevices].map((entry) => entry.firstSeen);
      // A member without a time was there before times were kept: the earliest is then unknown.
      const earliest = times.every((time): time is number => time !== undefined)
        ? times.reduce<number | undefined>((min, time) => (min === undefined || time < min ? time : min), undefined)
        : undefined;
      return {
        ...(earliest !== undefined ? { firstSeen: new Date(earliest).toISOString() } : {}),
        knownIps: knownIps.map((entry) => entry.member),
        knownDevices: knownDevices.map((entry) => entry.member),
      };
    },
  };
}
