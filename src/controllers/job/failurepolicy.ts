// podFailurePolicy: the first rule matching a failed pod (by container exit codes or pod conditions)
// decides what the failure means for the Job.

import type { PodFailurePolicy, PodFailurePolicyRule } from 'kubernetes-types/batch/v1.js';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';

export type FailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface FailurePolicyMatch {
  action: FailurePolicyAction;
  ruleIndex: number;
  /** Why the rule matched (used as the Job's failure message for FailJob). */
  message: string;
}

function exitCodeMatch(rule: PodFailurePolicyRule, statuses: ContainerStatus[] | undefined): ContainerStatus | undefined {
  const req = rule.onExitCodes!;
  const values = new Set(req.values ?? []);
  for (const s of statuses ?? []) {
    const code = s.state?.terminated?.exitCode;
    if (code === undefined || code === 0) continue;
    if (req.containerName && req.containerName !== s.name) continue;
    const inSet = values.has(code);
    if (req.operator === 'In' ? inSet : req.operator === 'NotIn' ? !inSet : false) return s;
  }
  return undefined;
}

/** The first matching rule for a pod in phase Failed, or undefined (default handling: Count). */
export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): FailurePolicyMatch | undefined {
  if (!policy?.rules?.length) return undefined;
  const ref = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  for (const [i, rule] of policy.rules.entries()) {
    const action = rule.action as FailurePolicyAction;
    if (rule.onExitCodes) {
      const s = exitCodeMatch(rule, pod.status?.containerStatuses) ?? exitCodeMatch(rule, pod.status?.initContainerStatuses);
      if (s) {
        return {
          action,
          ruleIndex: i,
          message: `Container ${s.name} for pod ${ref} failed with exit code ${s.state!.terminated!.exitCode} matching ${action} rule at index ${i}`,
        };
      }
    } else if (rule.onPodConditions?.length) {
      for (const pat of rule.onPodConditions) {
        const want = pat.status || 'True';
        const c = pod.status?.conditions?.find((c) => c.type === pat.type && c.status === want);
        if (c) return { action, ruleIndex: i, message: `Pod ${ref} has condition ${c.type} matching ${action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}
