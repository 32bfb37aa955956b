// The DaemonSet controller and its pure parts.

export { daemonSetController, DaemonSetController, BURST_REPLICAS } from './controller.js';
export {
  addDaemonTolerations,
  daemonPodFor,
  daemonPodTemplate,
  nodeNameAffinity,
  nodeShouldRunDaemonPod,
  targetNodeName,
  type NodeDecision,
} from './eligibility.js';
export { computeStatus, manage, planDaemonSet, podsByNode, rollingUpdate, type DaemonSetPlan, type DaemonSetState } from './plan.js';
export { constructHistory, matchesTemplate, newDaemonSetRevision, revisionsToClean } from './history.js';
export { DAEMON_SET_KIND } from './kind.js';
