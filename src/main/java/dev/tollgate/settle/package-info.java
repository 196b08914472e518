/**
 * Settlement: who owes whom for the revenue that went through the gateway. Pure domain code, in memory: revenue
 * events in, a double-entry append-only {@link dev.tollgate.settle.Ledger} and per-party {@link
 * dev.tollgate.settle.Statement}s out. See docs/billing.md.
 */
package dev.tollgate.settle;
