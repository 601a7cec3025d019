/**
 * Shapes of text that is a credential whatever it is called: vendors' key formats, JWTs, private
 * key blocks. One list for the two places that look for them — log redaction (src/telemetry) and the
 * sandbox's environment (src/sandbox) — so a format added here is removed from both. A leaf module
 * (no imports), so that telemetry, the lowest layer, may import it without pulling the rest of
 * config in.
 *
 * Each matches the whole secret, case-sensitively as written (the redactor joins their sources
 * into one case-insensitive expression), and has no capturing group: the redactor numbers its own.
 */
export const CREDENTIAL_TOKEN_PATTERNS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/, // OpenAI (sk-proj-…), Anthropic (sk-ant-…), OpenRouter (sk-or-…)
  /\b[rs]k_(?:live|test)_[A-Za-z0-9]{8,}/, // Stripe secret and restricted keys
  /\bAIza[0-9A-Za-z_-]{30,}/, // Google
  /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})/, // GitHub
  /\bglpat-[A-Za-z0-9_-]{20,}/, // GitLab personal access tokens
  /\bnpm_[A-Za-z0-9]{36}\b/, // npm access tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/, // Slack
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key ids
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, // JWTs
  // PEM (`RSA`, `EC`, `OPENSSH`, `ENCRYPTED`…) and PGP's `PRIVATE KEY BLOCK`: the block to its end.
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY[A-Z0-9 ]*-----|$)/,
];
