package dev.tollgate.config;

/** The admin API listener and the bearer token that guards it. */
public record AdminConfig(HostPort listen, Secret token) {}
