/**
 * Compliance policy: which deployments may serve which tenant, decided from attributes of both (country, region,
 * verification tier, ownership, vendor, hosting region, licence, labels) by rules with priorities and effective
 * times. A decision is a pure function of the policy, the tenant, the deployment, the model and the instant; each
 * names the rule that decided it. The audit trail of decisions and policy changes goes through the {@link
 * dev.tollgate.policy.AuditSink} port. No HTTP, no store: docs/policy.md describes the rule language.
 */
package dev.tollgate.policy;
