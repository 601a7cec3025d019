/**
 * Secrets no file tool reads, lists or changes and the Bash sandbox hides, whatever the rules say
 * (deny wins). Path specifiers in Claude Code's syntax: `~/x` under home, a name without a slash at
 * any depth below the working directory. `permissions.secretPaths` in the user config replaces the
 * list; `deny` rules extend it.
 */
export const DEFAULT_SECRET_PATHS: readonly string[] = [
  '.env',
  '.env.*',
  '*.pem',
  '*.key',
  '*.p12',
  '*.pfx',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '~/.ssh',
  '~/.aws',
  '~/.gnupg',
  '~/.netrc',
  '~/.git-credentials',
  '~/.docker/config.json',
  '~/.kube/config',
  '~/.config/gh/hosts.yml',
  '~/.codex/auth.json',
  // Codex's config: `codex-task install codex --embed-env` writes provider keys into it.
  '~/.codex/config.toml',
  '~/.claude/.credentials*',
  // Package registries' publish tokens.
  '~/.npmrc',
  '~/.pypirc',
  '~/.cargo/credentials',
  '~/.cargo/credentials.toml',
  '~/.gem/credentials',
  '~/.m2/settings.xml',
  '~/.m2/settings-security.xml',
  '~/.gradle/gradle.properties',
  '~/.nuget/NuGet/NuGet.Config',
  '~/.config/composer/auth.json',
  '~/.composer/auth.json',
  // Clouds and infrastructure.
  '~/.config/gcloud',
  '~/.azure',
  '~/.oci',
  '~/.terraform.d/credentials.tfrc.json',
  '~/.vault-token',
  '~/.s3cfg',
  '~/.boto',
  '~/.config/rclone',
  '~/.config/doctl',
  '~/.databrickscfg',
  // Databases and git hosts.
  '~/.pgpass',
  '~/.my.cnf',
  '~/.config/hub',
  '~/.config/glab-cli',
  // Model hubs.
  '~/.cache/huggingface/token',
  '~/.huggingface/token',
  '~/.kaggle/kaggle.json',
  // Other coding agents' logins: Gemini CLI (OAuth tokens, its .env), Copilot, Claude Code's
  // ~/.claude.json (`primaryApiKey`, OAuth account).
  '~/.gemini',
  '~/.config/github-copilot',
  '~/.claude.json',
  // More CLIs' tokens: Firebase and other configstore users, Vercel, Netlify, Fly, Wrangler,
  // Pulumi, Supabase, Stripe, podman/buildah registry logins, sops' age keys.
  '~/.config/configstore',
  '~/.local/share/com.vercel.cli',
  '~/.config/netlify',
  '~/.fly',
  '~/.wrangler',
  '~/.config/.wrangler',
  '~/.pulumi/credentials.json',
  '~/.supabase',
  '~/.config/stripe',
  '~/.config/containers/auth.json',
  '~/.config/sops',
  // Password managers and keyrings: GNOME keyring, KWallet, pass, 1Password CLI, Bitwarden CLI.
  '~/.local/share/keyrings',
  '~/.local/share/kwalletd',
  '~/.password-store',
  '~/.config/op',
  '~/.op',
  '~/.config/Bitwarden CLI',
  // Browser and mail profiles (cookies, saved logins): Firefox, Thunderbird, Chrome, Chromium,
  // Brave, Edge, Vivaldi, Opera, and the snap and Flatpak copies.
  '~/.mozilla',
  '~/.thunderbird',
  '~/.config/google-chrome*',
  '~/.config/chromium',
  '~/.config/BraveSoftware',
  '~/.config/microsoft-edge*',
  '~/.config/vivaldi*',
  '~/.config/opera*',
  '~/snap/firefox',
  '~/snap/chromium',
  '~/snap/thunderbird',
  '~/.var/app',
  // Shell and REPL histories: commands typed with a token or password in them (bash, zsh, sh,
  // python, node, psql, mysql, sqlite, redis-cli, irb… all `.*_history`), fish, atuin, less, mongosh.
  '~/.*_history',
  '~/.zhistory',
  '~/.histfile',
  '~/.local/share/fish/fish_history',
  '~/.config/fish/fish_history',
  '~/.local/share/atuin',
  '~/.lesshst',
  '~/.mongosh',
  '~/.dbshell',
  // Our own data: credentials, and run records / audit log / saved outputs holding other tasks' text.
  '~/.codex-task',
];

/** Lefthook's config names (lefthook.dev/configuration): each format, with and without a leading
 * dot, the `-local` override beside each, and the dotless ones under `.config/` too. */
const LEFTHOOK_CONFIGS: readonly string[] = ['lefthook', 'lefthook-local'].flatMap((name) =>
  ['yml', 'yaml', 'toml', 'json', 'jsonc'].flatMap((ext) => [
    `${name}.${ext}`,
    `.${name}.${ext}`,
    `.config/${name}.${ext}`,
  ]),
);

/**
 * Control files a subagent must not write in any permission mode (file-edit tools and Bash
 * redirections; the Bash sandbox mounts them read-only): each one changes what later runs may do —
 * permission rules and agents (`.claude`), our config (`.codex-task`), Codex's own config and MCP
 * servers (`.codex`), MCP servers our client pool starts on the host (`.mcp.json`), and all of
 * `.git` and `.gitmodules`: its config, hooks, `commondir`, alternates, worktrees and submodules
 * decide what the next git call runs. Specifiers as for the secret list, relative to the workspace;
 * a name without a slash matches at any depth, so a nested `.claude/` or `.git` counts too. What
 * they resolve to is protected with them (a symlink's target, the git directory a `.git` file
 * names: src/sandbox/protected-paths.ts). Only an explicit allow rule naming the path (e.g.
 * `Edit(.claude/agents/**)`) lifts it.
 *
 * Git hook managers' files too: the hook git runs (read-only in `.git/hooks` or `core.hooksPath`)
 * is a launcher that reads them on the user's next commit, on the host — husky (v9: `.husky/_/h`
 * runs `.husky/<hook>`), pre-commit (`.pre-commit-config.yaml`; `.pre-commit-hooks.yaml` when the
 * repository is its own hook source), lefthook (its configs, and the scripts in `.lefthook/` and
 * `.lefthook-local/`), overcommit (`.overcommit.yml`, its hook plugins in `.git-hooks/`). Not
 * listed: configs read from `package.json` (husky v4, yorkie, simple-git-hooks), which no list can
 * take from the project, and the project's own commands a hook runs (`npm test`, lint-staged).
 */
export const DEFAULT_PROTECTED_PATHS: readonly string[] = [
  '.claude',
  '.codex-task',
  '.codex',
  '.mcp.json',
  '.git',
  '.gitmodules',
  '.husky',
  '.pre-commit-config.yaml',
  '.pre-commit-hooks.yaml',
  ...LEFTHOOK_CONFIGS,
  '.lefthook',
  '.lefthook-local',
  '.overcommit.yml',
  '.git-hooks',
];

/**
 * Variables a command may set (`X=1 cmd`, `env X=1 cmd`) and still be allowed by a specific Bash
 * allow rule such as `Bash(npm test:*)`. Any other can make the allowed program run other code
 * (`NODE_OPTIONS`, `GIT_EXTERNAL_DIFF`, `npm_config_*`…), so the rule no longer says what runs.
 * These only change locale, colours and log levels. A trailing `*` is a prefix. A plain `Bash`
 * allow rule, or none, does not look at assignments.
 */
export const SAFE_ENV_VARIABLES: readonly string[] = [
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TZ',
  'NO_COLOR',
  'FORCE_COLOR',
  'CI',
  'DEBUG',
  'NODE_ENV',
  'RUST_BACKTRACE',
  'RUST_LOG',
  'PYTHONUNBUFFERED',
  'PYTHONDONTWRITEBYTECODE',
];

/** Names that match the list above but are templates committed without values. */
export const DEFAULT_SECRET_EXCEPTIONS: readonly string[] = [
  '.env.example',
  '.env.sample',
  '.env.template',
  '.env.dist',
];
