import type { SubscriberPolicy } from '../domain/routing.js';

/**
 * The subscriber policy in force. It is replaced as a whole when the policy files change (see
 * PolicyService), so every reader sees one consistent version at a time.
 */
export class PolicyHolder {
  constructor(private policy: SubscriberPolicy) {}

  get current(): SubscriberPolicy {
    return this.policy;
  }

  replace(policy: SubscriberPolicy): void {
    this.policy = policy;
  }
}
